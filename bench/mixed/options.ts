import { parseArgs } from 'node:util';
import { storeOption, UsageError, workersOption } from '../http/options.ts';
import { DEFAULT_MIX, KINDS, type Kind, type Mix } from './requests.ts';

/** What one `npm run bench:mixed` does; every figure has a flag. */
export interface MixedOptions {
  readonly store: 'sqlite' | 'postgres';
  readonly jobs: number;
  /** As WORKERS takes it: a number or `auto`. */
  readonly workers: string;
  /** Requests per second, one step each, in the order given. */
  readonly rates: readonly number[];
  readonly secondsPerRate: number;
  /** Seconds offered at the first rate, unmeasured, before the steps. */
  readonly warmup: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly mix: Mix;
  readonly seed: number;
  readonly postgresUrl: string;
  /** More environment for the server (LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS=50 …), to compare settings. */
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly smoke: boolean;
  /** False: print the tables only, leave bench/RESULTS.md alone. */
  readonly write: boolean;
}

const DEFAULT_RATES = [100, 200, 300, 400, 600, 800, 1000];
const TOTAL_SECONDS = 120;

const mixText = (mix: Mix) => KINDS.map((kind) => `${kind}=${mix[kind]}`).join(',');

export const USAGE = `Usage: npm run bench:mixed -- [options]

  --store sqlite|postgres   the store to seed and serve from (sqlite)
  --jobs N                  fake jobs to seed (100000)
  --workers N|auto          WORKERS for the server (1)
  --rates a,b,...           requests/s to offer, one step each (${DEFAULT_RATES.join(',')})
  --seconds-per-rate S      seconds per step (${TOTAL_SECONDS} s shared by the steps: ${Math.round((TOTAL_SECONDS / DEFAULT_RATES.length) * 10) / 10} s for the default rates)
  --warmup S                unmeasured seconds at the first rate before the steps (5)
  --max-in-flight N         requests outstanding at most; one due beyond that is not sent, an error (256)
  --timeout-ms N            a request unanswered this long is abandoned, an error (10000)
  --mix kind=share,...      shares of each kind (${mixText(DEFAULT_MIX)})
  --seed N                  the generator's seed, for the jobs and the requests (1)
  --postgres-url URL        PostgreSQL to make a schema in (postgres://root@127.0.0.1:5432/test)
  --server-env NAME=VALUE   more environment for the server, repeatable (LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS=50)
  --smoke                   1,000 jobs, rates 50,100 for 1 s each: checks the harness, not the speed
  --no-write                print the tables but leave bench/RESULTS.md alone (a smoke run never writes)
`;

/** A flag's number above 0 (whole unless told), or the fallback when it is absent. */
export function positive(raw: string | undefined, flag: string, fallback: number, whole = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be a ${whole ? 'whole ' : ''}number above 0, got "${raw}"`);
  }
  return value;
}

function rateList(raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined) return [...fallback];
  const rates = raw.split(',').map((part) => Number(part.trim()));
  if (rates.length === 0 || rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
    throw new UsageError(`--rates takes requests/s above 0 separated by commas, got "${raw}"`);
  }
  return rates;
}

function mixOf(raw: string | undefined): Mix {
  if (raw === undefined) return DEFAULT_MIX;
  const mix: Record<Kind, number> = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>;
  for (const part of raw.split(',')) {
    const [kind, share] = part.split('=');
    const value = Number(share);
    if (!(KINDS as readonly string[]).includes(kind ?? '') || !Number.isFinite(value) || value < 0) {
      throw new UsageError(`--mix takes kind=share pairs, kinds from ${KINDS.join(', ')}; got "${part}"`);
    }
    mix[kind as Kind] = value;
  }
  if (Object.values(mix).every((share) => share === 0)) throw new UsageError('--mix needs a share above 0');
  return mix;
}

function environment(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new UsageError(`--server-env takes NAME=VALUE, got "${pair}"`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

export function parseMixedOptions(argv: readonly string[]): MixedOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      rates: { type: 'string' },
      'seconds-per-rate': { type: 'string' },
      warmup: { type: 'string' },
      'max-in-flight': { type: 'string' },
      'timeout-ms': { type: 'string' },
      mix: { type: 'string' },
      seed: { type: 'string' },
      'postgres-url': { type: 'string' },
      'server-env': { type: 'string', multiple: true },
      smoke: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const store = storeOption(values.store);
  const workers = workersOption(values.workers);
  const smoke = values.smoke;
  const rates = rateList(values.rates, smoke ? [50, 100] : DEFAULT_RATES);
  return {
    store,
    jobs: positive(values.jobs, '--jobs', smoke ? 1000 : 100_000),
    workers,
    rates,
    secondsPerRate: positive(values['seconds-per-rate'], '--seconds-per-rate', smoke ? 1 : TOTAL_SECONDS / rates.length, false),
    warmup: values.warmup === '0' ? 0 : positive(values.warmup, '--warmup', smoke ? 0.5 : 5, false),
    maxInFlight: positive(values['max-in-flight'], '--max-in-flight', 256),
    timeoutMs: positive(values['timeout-ms'], '--timeout-ms', 10_000),
    mix: mixOf(values.mix),
    seed: positive(values.seed, '--seed', 1),
    postgresUrl: values['postgres-url'] ?? process.env.TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test',
    serverEnv: environment(values['server-env'] ?? []),
    smoke,
    write: !values['no-write'] && !smoke,
  };
}
