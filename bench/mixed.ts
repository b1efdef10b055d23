import { join, relative } from 'node:path';
import { demoTenantEnv } from './http/dataset.ts';
import { createHarness, runBenchmarkCommand, seedRun } from './http/main.ts';
import { buildServer, issueToken, ROOT } from './http/processes.ts';
import { commandLine, currentLoad, machineFacts, writeSection } from './http/report.ts';
import { sampleRss, totalResidentBytes } from './http/rss.ts';
import { JobServerTarget } from './http/runner.ts';
import { offer } from './mixed/open-loop.ts';
import { type MixedOptions, parseMixedOptions, USAGE } from './mixed/options.ts';
import { renderMixedSection } from './mixed/report.ts';
import { KINDS, requestStream } from './mixed/requests.ts';
import { type StepSummary, summarise } from './mixed/summary.ts';

/*
 * The mixed-load benchmark (`npm run bench:mixed`): seeds a fresh store,
 * starts the real server on it (WORKERS=1 unless told) as `npm run bench`
 * does, and offers a board's mix of requests at fixed rates, one step per
 * rate, in an open loop (bench/mixed/open-loop.ts). Reports each rate's
 * throughput, latency overall and per kind, errors and 503s, and the highest
 * rate served with p99 ≤ 100 ms and no error. See `npm run bench:mixed -- --help`.
 */

const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');
const harness = createHarness('bench:mixed');
const { say } = harness;

function describe(step: StepSummary): string {
  const { overall } = step;
  const failures = Object.entries(step.failures).map(([fate, count]) => `${fate}×${count}`).join(' ');
  return `${step.rate}/s offered: ${Math.round(step.achieved)}/s achieved (client lag p99 ${step.sendLagP99Ms.toFixed(1)} ms), p50 ${overall.p50.toFixed(1)} ms, p95 ${overall.p95.toFixed(1)} ms, p99 ${overall.p99.toFixed(1)} ms, ${step.errors} errors${failures ? ` (${failures})` : ''}, ${step.refused} × 503, peak RSS ${(step.peakRssBytes / 2 ** 20).toFixed(0)} MB`;
}

/** What a smoke run checks: every kind was offered and answered 2xx, nothing failed, whatever the speed. */
function harnessProblems(steps: readonly StepSummary[], options: MixedOptions): string[] {
  const problems: string[] = [];
  for (const step of steps) if (step.errors > 0) problems.push(`${step.rate}/s: ${step.errors} errors (${JSON.stringify(step.failures)})`);
  for (const kind of KINDS) {
    if (options.mix[kind] > 0 && steps.every((step) => step.byKind[kind].answered === 0)) problems.push(`${kind}: never answered`);
  }
  return problems;
}

async function benchmark(options: MixedOptions, argv: readonly string[]): Promise<number> {
  const { startedAt, loadBefore, credentials, dataset } = await seedRun(harness, options);
  say(`seeded in ${dataset.seedSeconds.toFixed(1)} s; building the server if src/ changed`);
  buildServer();
  say(`starting the server (WORKERS=${options.workers})`);
  const server = await JobServerTarget.start({ databaseUrl: dataset.databaseUrl, workers: options.workers, cpuProfileDir: null, env: { ...demoTenantEnv(credentials), ...options.serverEnv } }, say);
  let serverStopped = false;
  harness.onCleanUp(() => (serverStopped ? undefined : server.kill()));
  const idleRssBytes = totalResidentBytes(server.pids());
  const token = await issueToken(server.port, credentials);
  const next = requestStream({ dataset, credentials, token, seed: options.seed, runId: Date.now().toString(36) }, options.mix);
  const settings = { port: server.port, maxInFlight: options.maxInFlight, timeoutMs: options.timeoutMs };

  if (options.warmup > 0) {
    say(`warming up: ${options.warmup} s at ${options.rates[0]}/s`);
    await offer({ ...settings, rate: options.rates[0] as number, seconds: options.warmup }, next);
  }
  const steps: StepSummary[] = [];
  for (const rate of options.rates) {
    await server.settle(`the step at ${rate}/s`);
    const memory = sampleRss(() => server.pids());
    let peakRssBytes = 0;
    const offered = await offer({ ...settings, rate, seconds: options.secondsPerRate }, next).finally(() => {
      peakRssBytes = memory.stop();
    });
    const step = summarise(rate, offered, peakRssBytes);
    steps.push(step);
    say(describe(step));
  }

  const exitCode = await server.stop();
  serverStopped = true;
  if (exitCode !== 0) say(`the server exited with ${exitCode} on SIGTERM:\n${server.recentOutput}`);
  const section = renderMixedSection(
    {
      options,
      command: commandLine(argv, 'bench:mixed', 'bench/mixed.ts'),
      startedAt,
      jobs: dataset.jobs,
      seedSeconds: dataset.seedSeconds,
      loadBefore,
      loadAfter: currentLoad(),
      idleRssBytes,
      steps,
      notes: server.notes,
    },
    machineFacts(),
  );
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(RESULTS_FILE, section);
    say(`written at the top of ${relative(process.cwd(), RESULTS_FILE)}`);
  }
  const problems = harnessProblems(steps, options);
  for (const problem of problems) say(`problem: ${problem}`);
  // A smoke run checks the harness; a real run reports whatever it measured.
  return options.smoke && problems.length > 0 ? 1 : 0;
}

runBenchmarkCommand(harness, { usage: USAGE, parse: parseMixedOptions, run: benchmark });
