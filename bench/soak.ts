import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { demoTenantEnv } from './http/dataset.ts';
import { createHarness, runBenchmarkCommand, seedRun } from './http/main.ts';
import { storeOption, UsageError, workersOption } from './http/options.ts';
import { positive } from './mixed/options.ts';
import { buildServer, issueToken, ROOT } from './http/processes.ts';
import { commandLine, currentLoad, machineFacts, megabytes, milliseconds, whole, writeSection } from './http/report.ts';
import { totalResidentBytes } from './http/rss.ts';
import { JobServerTarget } from './http/runner.ts';
import { offer } from './mixed/open-loop.ts';
import { DEFAULT_MIX, requestStream } from './mixed/requests.ts';
import { summarise } from './mixed/summary.ts';

/*
 * The soak (`npm run bench:soak`): the mixed load of `bench:mixed` at one
 * steady rate below capacity for two minutes, in slices. It passes when no
 * request failed (no 5xx, no timeout, no connection error, no other error)
 * and the server's memory is flat: its resident size at the end is within
 * FLAT_RSS_RATIO of what it was once warm (after the first third), so a
 * leak of a few hundred bytes a request shows as growth, slice after slice.
 */

const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');
const FLAT_RSS_RATIO = 1.2;
const harness = createHarness('bench:soak');
const { say } = harness;

interface SoakOptions {
  readonly store: 'sqlite' | 'postgres';
  readonly jobs: number;
  readonly workers: string;
  readonly rate: number;
  readonly seconds: number;
  readonly sliceSeconds: number;
  readonly seed: number;
  readonly postgresUrl: string;
  readonly smoke: boolean;
  readonly write: boolean;
}

const USAGE = `Usage: npm run bench:soak -- [options]

  --store sqlite|postgres   the store to seed and serve from (sqlite)
  --jobs N                  fake jobs to seed (100000)
  --workers N|auto          WORKERS for the server (1)
  --rate N                  requests/s offered throughout (150)
  --seconds S               how long (120)
  --slice S                 seconds per reported slice (10)
  --seed N                  the generator's seed (1)
  --postgres-url URL        PostgreSQL to make a schema in (postgres://root@127.0.0.1:5432/test)
  --smoke                   1,000 jobs, 6 s at 50/s in 2 s slices: checks the harness
  --no-write                print the table but leave bench/RESULTS.md alone (a smoke run never writes)
`;

function parseSoakOptions(argv: readonly string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      slice: { type: 'string' },
      seed: { type: 'string' },
      'postgres-url': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const store = storeOption(values.store);
  const workers = workersOption(values.workers);
  const smoke = values.smoke;
  const options: SoakOptions = {
    store,
    jobs: positive(values.jobs, '--jobs', smoke ? 1000 : 100_000),
    workers,
    rate: positive(values.rate, '--rate', smoke ? 50 : 150, false),
    seconds: positive(values.seconds, '--seconds', smoke ? 6 : 120, false),
    sliceSeconds: positive(values.slice, '--slice', smoke ? 2 : 10, false),
    seed: positive(values.seed, '--seed', 1),
    postgresUrl: values['postgres-url'] ?? process.env.TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test',
    smoke,
    write: !values['no-write'] && !smoke,
  };
  if (options.sliceSeconds > options.seconds) throw new UsageError('--slice must not be longer than --seconds');
  return options;
}

interface Slice {
  readonly endsAtSeconds: number;
  readonly achieved: number;
  readonly p99: number;
  readonly serverErrors: number;
  /** Timeouts, connection errors, requests not sent and 4xx: anything but 2xx and 5xx. */
  readonly otherErrors: number;
  readonly rssBytes: number;
}

function verdict(slices: readonly Slice[]) {
  const serverErrors = slices.reduce((sum, slice) => sum + slice.serverErrors, 0);
  const otherErrors = slices.reduce((sum, slice) => sum + slice.otherErrors, 0);
  const warm = slices[Math.floor(slices.length / 3)] as Slice;
  const last = slices[slices.length - 1] as Slice;
  const growth = last.rssBytes / warm.rssBytes;
  return { serverErrors, otherErrors, warm, last, growth, passed: serverErrors === 0 && otherErrors === 0 && growth <= FLAT_RSS_RATIO };
}

function renderSection(options: SoakOptions, argv: readonly string[], startedAt: Date, slices: readonly Slice[], idleRssBytes: number): string {
  const result = verdict(slices);
  const facts = machineFacts();
  const rows = slices.map((slice) => `| ${whole(slice.endsAtSeconds)} | ${whole(slice.achieved)} | ${milliseconds(slice.p99)} | ${slice.serverErrors} | ${slice.otherErrors} | ${megabytes(slice.rssBytes)} |`);
  return [
    `## Soak, ${options.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${whole(options.jobs)} jobs, WORKERS=${options.workers} (${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `\`${commandLine(argv, 'bench:soak', 'bench/soak.ts')}\`: the mixed load of \`bench:mixed\` at ${whole(options.rate)} requests/s for ${whole(options.seconds)} s; ${facts.cores} cores, Node ${facts.node}, load average ${currentLoad().join(', ')} at the end.`,
    '',
    '| second | 2xx/s | p99 ms | 5xx | other errors | server RSS MB |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Idle RSS ${megabytes(idleRssBytes)} MB; ${megabytes(result.warm.rssBytes)} MB once warm (second ${whole(result.warm.endsAtSeconds)}), ${megabytes(result.last.rssBytes)} MB at the end: ×${result.growth.toFixed(2)} (flat means ≤ ×${FLAT_RSS_RATIO}). ${result.serverErrors} 5xx, ${result.otherErrors} other errors: **${result.passed ? 'passed' : 'failed'}**.`,
    '',
  ].join('\n');
}

async function soak(options: SoakOptions, argv: readonly string[]): Promise<number> {
  const { startedAt, credentials, dataset } = await seedRun(harness, options);
  buildServer();
  say(`starting the server (WORKERS=${options.workers})`);
  const server = await JobServerTarget.start({ databaseUrl: dataset.databaseUrl, workers: options.workers, cpuProfileDir: null, env: demoTenantEnv(credentials) }, say);
  let serverStopped = false;
  harness.onCleanUp(() => (serverStopped ? undefined : server.kill()));
  const idleRssBytes = totalResidentBytes(server.pids());
  const token = await issueToken(server.port, credentials);
  const next = requestStream({ dataset, credentials, token, seed: options.seed, runId: Date.now().toString(36) }, DEFAULT_MIX);
  const slices: Slice[] = [];
  for (let elapsed = 0; elapsed < options.seconds; elapsed += options.sliceSeconds) {
    const seconds = Math.min(options.sliceSeconds, options.seconds - elapsed);
    const offered = await offer({ port: server.port, rate: options.rate, seconds, maxInFlight: 256, timeoutMs: 10_000 }, next);
    const step = summarise(options.rate, offered, 0);
    const serverErrors = offered.outcomes.filter((outcome) => typeof outcome.fate === 'number' && outcome.fate >= 500).length;
    const slice = { endsAtSeconds: elapsed + seconds, achieved: step.achieved, p99: step.overall.p99, serverErrors, otherErrors: step.errors + step.refused - serverErrors, rssBytes: totalResidentBytes(server.pids()) };
    slices.push(slice);
    say(`${whole(slice.endsAtSeconds)} s: ${whole(slice.achieved)} 2xx/s, p99 ${milliseconds(slice.p99)} ms, ${serverErrors} 5xx, ${slice.otherErrors} other errors, RSS ${megabytes(slice.rssBytes)} MB`);
  }
  const exitCode = await server.stop();
  serverStopped = true;
  if (exitCode !== 0) say(`the server exited with ${exitCode} on SIGTERM:\n${server.recentOutput}`);
  const section = renderSection(options, argv, startedAt, slices, idleRssBytes);
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(RESULTS_FILE, section);
    say(`written at the top of ${relative(process.cwd(), RESULTS_FILE)}`);
  }
  const { serverErrors, otherErrors, passed } = verdict(slices);
  // A smoke run checks the harness and that nothing failed; memory over six seconds says nothing.
  if (options.smoke) return serverErrors === 0 && otherErrors === 0 ? 0 : 1;
  return passed ? 0 : 1;
}

runBenchmarkCommand(harness, { usage: USAGE, parse: parseSoakOptions, run: soak });
