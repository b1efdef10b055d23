import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { formatSummary, readProfile, summariseProfile } from './http/cpu-profile.ts';
import { demoTenantEnv, type Dataset } from './http/dataset.ts';
import type { Measurement } from './http/load.ts';
import { parseOptions, USAGE, type BenchOptions } from './http/options.ts';
import { createHarness, runBenchmarkCommand, seedRun } from './http/main.ts';
import type { CapturedAnswer, CapturedAnswers } from './http/ceiling.ts';
import { type Answer, buildServer, issueToken, ROOT, send, startCeiling } from './http/processes.ts';
import { type CeilingRatio, commandLine, currentLoad, machineFacts, renderSection, type Row, writeSection } from './http/report.ts';
import { totalResidentBytes } from './http/rss.ts';
import { CeilingTarget, JobServerTarget, type Runner, runScenario } from './http/runner.ts';
import { buildScenario, SCENARIO_LABELS, type ScenarioName, type ScenarioRequest, V1 } from './http/scenarios.ts';
import { searchMixPaths } from './http/search-mix.ts';
import { checkTargets } from './http/targets.ts';

/*
 * The HTTP benchmark (`npm run bench`): seeds a fresh store with fake jobs,
 * starts the real server on it as a child process, and drives each scenario
 * with autocannon (lists under writes with a client of its own); around the
 * read by id and around the search mix it drives a bare node:http server
 * answering each URL with our server's bytes for it, the ceiling. Prints a
 * markdown table and puts it at the top of bench/RESULTS.md. See
 * `npm run bench -- --help`.
 */

const RESULTS_FILE = join(ROOT, 'bench', 'RESULTS.md');
const CEILING_BEFORE = 'ceiling (node:http), before';
const CEILING_AFTER = 'ceiling (node:http), after';
const harness = createHarness('bench');
const { say } = harness;

/** One request as the scenario would send it, so a broken scenario says why before it is measured; the problem, if any. */
async function preflight(port: number, name: ScenarioName, request: ScenarioRequest): Promise<string | null> {
  const ready = request.setupRequest ? request.setupRequest({ ...request }) : request;
  const answer = await send(port, ready.method ?? 'GET', ready.path ?? '/', ready.headers as Record<string, string>, ready.body?.toString());
  if (answer.status >= 200 && answer.status <= 299) return null;
  return `${SCENARIO_LABELS[name]}: ${ready.method} ${ready.path} answered ${answer.status}: ${answer.body.toString().slice(0, 500)}`;
}

/** A scenario measured between two runs of a ceiling answering with our server's bytes. */
interface Ceiling {
  /** The rows of the ceiling runs. */
  readonly before: string;
  readonly after: string;
  /** What the ceiling answers, for the report. */
  readonly answers: string;
  /** Captures our server's answers into a file for bench/http/ceiling.ts; the file and a path the ceiling answers 200. */
  capture(): Promise<{ file: string; readyPath: string }>;
}

function capturedAnswer(answer: Answer): CapturedAnswer {
  return { status: answer.status, contentType: String(answer.headers['content-type']), bodyBase64: answer.body.toString('base64') };
}

function writeAnswers(folder: string, name: string, answers: CapturedAnswers): string {
  const file = join(folder, `${name}-answers.json`);
  writeFileSync(file, JSON.stringify(answers));
  return file;
}

/** The bytes of one job read, which the ceiling answers every read with. */
async function captureRead(port: number, dataset: Dataset, token: string, folder: string) {
  const answer = await send(port, 'GET', `/api/job/${dataset.firstJobId}`, { accept: V1, authorization: `Bearer ${token}` });
  if (answer.status !== 200) throw new Error(`reading job ${dataset.firstJobId} answered ${answer.status}`);
  return { file: writeAnswers(folder, 'read', { answers: {}, otherwise: capturedAnswer(answer) }), readyPath: '/' };
}

/** Our answer to each URL of the search mix, once, as the ceiling will answer them. */
async function captureSearchMix(port: number, dataset: Dataset, token: string, folder: string) {
  const paths = searchMixPaths(dataset.vocabulary);
  const answers: Record<string, CapturedAnswer> = {};
  for (const path of paths) {
    const answer = await send(port, 'GET', path, { accept: V1, authorization: `Bearer ${token}` });
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    answers[path] = capturedAnswer(answer);
  }
  return { file: writeAnswers(folder, 'search-mix', { answers, otherwise: null }), readyPath: paths[0] as string };
}

function ceilingsOf(port: number, dataset: Dataset, token: string, folder: string): Partial<Record<ScenarioName, Ceiling>> {
  return {
    read: {
      before: CEILING_BEFORE,
      after: CEILING_AFTER,
      answers: 'answering every request with the bytes of one captured job read',
      capture: () => captureRead(port, dataset, token, folder),
    },
    'search-mix': {
      before: 'search mix ceiling (node:http), before',
      after: 'search mix ceiling (node:http), after',
      answers: `answering each of the mix's ${searchMixPaths(dataset.vocabulary).length} URLs with the bytes our server gave for it, captured before the run`,
      capture: () => {
        say(`capturing our answers to the ${searchMixPaths(dataset.vocabulary).length} URLs of the search mix`);
        return captureSearchMix(port, dataset, token, folder);
      },
    },
  };
}

function describe(label: string, m: Measurement): string {
  const codes = Object.entries(m.statusCodes).map(([code, count]) => `${code}×${count}`).join(' ');
  return `${label}: ${Math.round(m.requestsPerSecond)} req/s, p50 ${m.latency.p50.toFixed(2)} ms, p95 ${m.latency.p95.toFixed(2)} ms, p99 ${m.latency.p99.toFixed(2)} ms, ${m.errors} errors, status ${codes || 'none'}, peak RSS ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MB`;
}

/**
 * What a smoke run checks: the harness worked, whatever the speed. A token
 * costs one scrypt hash, so a half-second run may see no answer at all;
 * the preflight request showed that the scenario's requests are answered.
 */
function harnessProblems(rows: readonly Row[], expected: readonly string[]): string[] {
  const problems: string[] = [];
  for (const label of expected) if (!rows.some((row) => row.label === label)) problems.push(`${label}: did not run`);
  for (const { label, measurement: m } of rows) {
    if (m.sent === 0) problems.push(`${label}: sent no requests`);
    if (m.errors > 0) problems.push(`${label}: ${m.errors} errors (${m.timeouts} timeouts)`);
    if (m.non2xx > 0) problems.push(`${label}: ${m.non2xx} non-2xx answers (${JSON.stringify(m.statusCodes)})`);
  }
  return problems;
}

/** Summarises the server's profiles from `sinceMicros` on (process.hrtime µs): the load, not the start-up. */
function summariseProfiles(folder: string, sinceMicros: number): void {
  const files = readdirSync(folder).filter((file) => file.endsWith('.cpuprofile')).map((file) => join(folder, file));
  if (files.length === 0) {
    say(`no .cpuprofile in ${folder}: did the server exit cleanly?`);
    return;
  }
  say(`CPU profiles of the server: ${files.map((file) => relative(process.cwd(), file)).join(', ')}`);
  say('summaries below leave out the server\'s start-up; bench/http/cpu-profile.ts FILE summarises a whole profile');
  for (const file of files) {
    process.stdout.write(`\n${formatSummary(relative(process.cwd(), file), summariseProfile(readProfile(file), 20, sinceMicros))}\n`);
  }
}

interface Measured {
  readonly rows: Row[];
  readonly ceilingRatios: CeilingRatio[];
}

/** Every scenario in order; those with a ceiling between two runs of it. */
async function measureScenarios(runner: Runner, server: JobServerTarget, scenarios: readonly ScenarioName[], ceilings: Partial<Record<ScenarioName, Ceiling>>): Promise<Measured> {
  const rows: Row[] = [];
  const record = (label: string, measurement: Measurement) => {
    rows.push({ label, measurement });
    say(describe(label, measurement));
    // A 5xx is the server's own failure: its log says why.
    if (Object.keys(measurement.statusCodes).some((code) => code.startsWith('5'))) {
      say(`${label} had 5xx answers; the server's log ends:\n${server.recentOutput.slice(-3000)}`);
    }
    return measurement;
  };
  const ceilingRatios: CeilingRatio[] = [];
  for (const name of scenarios) {
    const label = SCENARIO_LABELS[name];
    const ceiling = ceilings[name];
    if (!ceiling) {
      record(label, await runScenario(runner, name, label, server));
      continue;
    }
    const { file, readyPath } = await ceiling.capture();
    const bare = new CeilingTarget(await startCeiling(file, readyPath));
    harness.onCleanUp(() => bare.kill());
    try {
      const before = record(ceiling.before, await runScenario(runner, name, ceiling.before, bare));
      const ours = record(label, await runScenario(runner, name, label, server));
      const after = record(ceiling.after, await runScenario(runner, name, ceiling.after, bare));
      const mean = (before.requestsPerSecond + after.requestsPerSecond) / 2;
      ceilingRatios.push({
        scenario: label,
        answers: ceiling.answers,
        ratio: ours.requestsPerSecond / mean,
        ceiling: mean,
        before: before.requestsPerSecond,
        after: after.requestsPerSecond,
        ours: ours.requestsPerSecond,
      });
    } finally {
      await bare.stop();
    }
  }
  return { rows, ceilingRatios };
}

async function benchmark(options: BenchOptions, argv: readonly string[]): Promise<number> {
  const { startedAt, loadBefore, credentials, dataset } = await seedRun(harness, options);
  const scratch = mkdtempSync(join(tmpdir(), 'jobspace-bench-http-'));
  harness.onCleanUp(() => rmSync(scratch, { recursive: true, force: true }));

  const profileDir = options.cpuProfileDir ? resolve(options.cpuProfileDir) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  say(`seeded in ${dataset.seedSeconds.toFixed(1)} s; building the server if src/ changed`);
  buildServer();
  say(`starting the server (WORKERS=${options.workers}${profileDir ? ', --cpu-prof' : ''})`);
  // Each scenario saturates the server on purpose, to measure how much it serves; refusing the excess would measure the refusal (bench:mixed measures that).
  const env = { ...demoTenantEnv(credentials), LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0', LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0' };
  const serverOptions = { databaseUrl: dataset.databaseUrl, workers: options.workers, cpuProfileDir: profileDir, env };
  const server = await JobServerTarget.start(serverOptions, say);
  let serverStopped = false;
  harness.onCleanUp(() => (serverStopped ? undefined : server.kill()));
  say(`server ready on port ${server.port}`);
  const loadStartedMicros = Number(process.hrtime.bigint() / 1000n);
  const idleRssBytes = totalResidentBytes(server.pids());

  const token = await issueToken(server.port, credentials);
  const runId = Date.now().toString(36);
  let phases = 0;
  const runner: Runner = {
    settings: { connections: options.connections, seconds: options.duration },
    warmup: options.warmup,
    context: (phase) => ({ dataset, credentials, token, seed: options.seed * 1000 + (phases += 1), runId: `${runId}-${phase}` }),
  };
  const problems: string[] = [];
  for (const name of options.scenarios) {
    const problem = await preflight(server.port, name, buildScenario(name, runner.context(`${name}-preflight`)));
    if (problem) problems.push(problem);
  }
  const { rows, ceilingRatios } = await measureScenarios(runner, server, options.scenarios, ceilingsOf(server.port, dataset, token, scratch));

  const exitCode = await server.stop();
  serverStopped = true;
  if (exitCode !== 0) say(`the server exited with ${exitCode} on SIGTERM:\n${server.recentOutput}`);
  if (profileDir) summariseProfiles(profileDir, loadStartedMicros);

  const section = renderSection(
    {
      options,
      command: commandLine(argv, 'bench', 'bench/http.ts'),
      startedAt,
      jobs: dataset.jobs,
      seedSeconds: dataset.seedSeconds,
      loadBefore,
      loadAfter: currentLoad(),
      idleRssBytes,
      rows,
      notes: server.notes,
      ceilingRatios,
      targets: options.smoke ? [] : checkTargets(rows, ceilingRatios),
    },
    machineFacts(),
  );
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(RESULTS_FILE, section);
    say(`written at the top of ${relative(process.cwd(), RESULTS_FILE)}`);
  }
  problems.push(...harnessProblems(rows, options.scenarios.map((name) => SCENARIO_LABELS[name])));
  for (const problem of problems) say(`problem: ${problem}`);
  // A smoke run checks the harness; a real run reports whatever it measured.
  return options.smoke && problems.length > 0 ? 1 : 0;
}

runBenchmarkCommand(harness, { usage: USAGE, parse: parseOptions, run: benchmark });
