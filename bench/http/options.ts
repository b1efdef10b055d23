import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.ts';

/** What one `npm run bench` does; every figure has a flag. */
export interface BenchOptions {
  readonly store: 'sqlite' | 'postgres';
  readonly jobs: number;
  /** As WORKERS takes it: a number or `auto`. */
  readonly workers: string;
  readonly connections: number;
  /** Seconds each scenario is measured for. */
  readonly duration: number;
  /** Seconds each scenario runs unmeasured first. */
  readonly warmup: number;
  readonly scenarios: readonly ScenarioName[];
  /** The generator's seed: the same seed gives the same jobs. */
  readonly seed: number;
  readonly postgresUrl: string;
  readonly smoke: boolean;
  /** False: print the table only, leave bench/RESULTS.md alone. */
  readonly write: boolean;
  /** A folder for the server's .cpuprofile files, when profiling. */
  readonly cpuProfileDir: string | null;
}

export const USAGE = `Usage: npm run bench -- [options]

  --store sqlite|postgres   the store to seed and serve from (sqlite)
  --jobs N                  fake jobs to seed (100000)
  --workers N|auto          WORKERS for the server (1)
  --connections N           autocannon connections (32)
  --duration S              measured seconds per scenario (10)
  --warmup S                unmeasured seconds before each scenario (3)
  --scenarios a,b,...       run only these (${SCENARIO_NAMES.join(', ')})
  --seed N                  the generator's seed (1)
  --postgres-url URL        PostgreSQL to make a schema in (postgres://root@127.0.0.1:5432/test)
  --smoke                   1,000 jobs, half-second scenarios, 4 connections: checks the harness, not the speed
  --no-write                print the table but leave bench/RESULTS.md alone (a smoke run never writes)
  --cpu-prof                run the server under node --cpu-prof and summarise the profiles' top functions
  --cpu-prof-dir DIR        where the .cpuprofile files go (.tmp/cpu-profiles/<time>)
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** --store: sqlite (the default) or postgres. */
export function storeOption(raw: string | undefined): 'sqlite' | 'postgres' {
  const store = raw ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new UsageError(`--store must be sqlite or postgres, got "${store}"`);
  return store;
}

/** --workers, as WORKERS takes it: a whole number (1 by default) or auto. */
export function workersOption(raw: string | undefined): string {
  const workers = raw ?? '1';
  if (workers !== 'auto' && !/^\d+$/.test(workers)) throw new UsageError(`--workers must be a whole number or auto, got "${workers}"`);
  return workers;
}

function wholeNumber(raw: string | undefined, flag: string, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be a whole number of ${min} or more, got "${raw}"`);
  return value;
}

function seconds(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a number of seconds, got "${raw}"`);
  return value;
}

function scenarioList(raw: string | undefined): ScenarioName[] {
  if (raw === undefined) return [...SCENARIO_NAMES];
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--scenarios takes names from ${SCENARIO_NAMES.join(', ')}; got "${raw}"`);
  }
  // Always in the table's order, whatever order they were named in.
  return SCENARIO_NAMES.filter((name) => names.includes(name));
}

export function parseOptions(argv: readonly string[], now = new Date()): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      scenarios: { type: 'string' },
      seed: { type: 'string' },
      'postgres-url': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'cpu-prof-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const store = storeOption(values.store);
  const workers = workersOption(values.workers);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const smoke = values.smoke;
  return {
    store,
    jobs: wholeNumber(values.jobs, '--jobs', smoke ? 1000 : 100_000),
    workers,
    connections: wholeNumber(values.connections, '--connections', smoke ? 4 : 32),
    duration: seconds(values.duration, '--duration', smoke ? 0.5 : 10),
    warmup: seconds(values.warmup, '--warmup', smoke ? 0.25 : 3),
    scenarios: scenarioList(values.scenarios),
    seed: wholeNumber(values.seed, '--seed', 1),
    postgresUrl: values['postgres-url'] ?? process.env.TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test',
    smoke,
    write: !values['no-write'] && !smoke,
    cpuProfileDir: values['cpu-prof'] || values['cpu-prof-dir'] ? (values['cpu-prof-dir'] ?? `.tmp/cpu-profiles/${stamp}`) : null,
  };
}
