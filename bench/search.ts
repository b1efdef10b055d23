import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { findPlaceAnywhere } from '../src/geo/gazetteer.ts';
import { loadCatalogue } from '../src/lookups/catalogue.ts';
import { ENGLISH_STOP_WORDS } from '../src/search/stop-words.ts';
import { describeSeeding, seedFakeJobs, type SeedOutcome } from '../src/seed/fake-jobs.ts';
import { seededRandom, type Random } from '../src/seed/random.ts';
import { machine, writeSection, type Measured, type StoreResult } from './search-results.ts';

/*
 * Search latency on a store of N fake jobs: a fresh store seeded by the
 * fake-job generator, then the real app listening in a child process, asked
 * one request at a time with a vendor token of the demo tenant.
 *
 *   node --import tsx bench/search.ts --jobs 1000000 --store sqlite|postgres|both
 */

const USAGE = 'usage: bench/search.ts --jobs N [--store sqlite|postgres|both] [--requests 200] [--warmup 20] [--seed 1] ' +
  '[--timeout-seconds 30] [--max-seconds 300] [--postgres-url URL] [--no-write] [--keep | --reuse DATABASE_URL]';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    'timeout-seconds': { type: 'string', default: '30' },
    'max-seconds': { type: 'string', default: '300' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test' },
    'no-write': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});

function whole(name: keyof typeof args): number {
  const value = args[name];
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number\n${USAGE}`);
  return Number(value);
}

type StoreName = 'sqlite' | 'postgres';
const isStoreName = (value: unknown): value is StoreName => value === 'sqlite' || value === 'postgres';
if (args.store !== 'both' && !isStoreName(args.store)) throw new Error(USAGE);

const JOBS = whole('jobs');
const REQUESTS = whole('requests');
const WARMUP = whole('warmup');
const SEED = whole('seed');
/** A request slower than this ends its scenario (and the server, which may be stuck in SQL). */
const TIMEOUT_SECONDS = whole('timeout-seconds');
/** A scenario stops early past this many seconds, so a slow store cannot hold a run for hours. */
const MAX_SECONDS = whole('max-seconds');
const STORES: readonly StoreName[] = args.reuse
  ? [args.reuse.startsWith('sqlite:') ? 'sqlite' : 'postgres']
  : isStoreName(args.store) ? [args.store] : ['sqlite', 'postgres'];
const POSTGRES_URL = args['postgres-url'] as string;

const DEMO = { clientId: 'bench-client', clientSecret: 'bench-client-secret', username: 'bench@example.com', password: 'bench-password' };
/** Big British towns for the radius and suggest scenarios; each found by name alone, as `location=` finds it. */
const BIG_TOWNS = ['London', 'Birmingham', 'Manchester', 'Leeds', 'Glasgow', 'Sheffield', 'Bristol', 'Liverpool',
  'Edinburgh', 'Cardiff', 'Leicester', 'Nottingham', 'Coventry', 'Bradford', 'Southampton', 'Brighton'];

const say = (line: string) => process.stderr.write(`${line}\n`);

interface FreshStore {
  readonly url: string;
  /** Where the seeding outcome is kept, so that a kept store can be measured again (--keep, then --reuse). */
  readonly seedingFile: string;
  /** Names the server's PostgreSQL connections, so a stuck query can be cancelled. */
  readonly applicationName: string;
  sizeBytes(app: FastifyInstance): Promise<number>;
  cancelQueries(): Promise<void>;
  drop(): Promise<void>;
}

async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new store, or with --reuse one kept by an earlier run. */
function storeFor(store: StoreName): FreshStore {
  if (!args.reuse) return freshStore(store, `bench_${randomBytes(5).toString('hex')}`);
  const url = args.reuse;
  if (store === 'sqlite') return freshStore(store, `bench_${randomBytes(5).toString('hex')}`, url.slice('sqlite:'.length));
  const schema = new URL(url).searchParams.get('schema');
  if (!schema) throw new Error('--reuse needs a postgres URL with ?schema=');
  return freshStore(store, schema);
}

function freshStore(store: StoreName, name: string, existingFile?: string): FreshStore {
  if (store === 'sqlite') {
    const file = existingFile ?? join(mkdtempSync(join(tmpdir(), 'jobspace-bench-')), 'bench.sqlite');
    const folder = dirname(file);
    const size = (path: string) => (statSync(path, { throwIfNoEntry: false })?.size ?? 0);
    return {
      url: `sqlite:${file}`,
      seedingFile: `${file}.seeding.json`,
      applicationName: name,
      sizeBytes: async () => size(file) + size(`${file}-wal`),
      cancelQueries: async () => undefined,
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  return {
    url: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${name}`,
    seedingFile: join(tmpdir(), `jobspace-${name}.seeding.json`),
    applicationName: name,
    sizeBytes: async (app) => {
      const result = await sql<{ bytes: string }>`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${name} and c.relkind = 'r'`.execute(app.store.db);
      return Number(result.rows[0]?.bytes ?? 0);
    },
    // Only the backends of this run's server, named by PGAPPNAME.
    cancelQueries: () =>
      withPostgres(async (client) => {
        await client.query('select pg_cancel_backend(pid) from pg_stat_activity where application_name = $1', [name]);
      }),
    drop: async () => {
      await withPostgres(async (client) => {
        await client.query(`drop schema if exists "${name}" cascade`);
      });
      rmSync(join(tmpdir(), `jobspace-${name}.seeding.json`), { force: true });
    },
  };
}

function serverEnvironment(fresh: FreshStore): Record<string, string> {
  return {
    DATABASE_URL: fresh.url,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    // One request at a time: a slow one must be timed, not make the next one refused for load.
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    JOBSPACE_DEMO_CLIENT_ID: DEMO.clientId,
    JOBSPACE_DEMO_CLIENT_SECRET: DEMO.clientSecret,
    JOBSPACE_DEMO_USERNAME: DEMO.username,
    JOBSPACE_DEMO_PASSWORD: DEMO.password,
  };
}

interface Scenario {
  readonly name: string;
  /** The p95 to meet, in ms. */
  readonly target: number | null;
  readonly url: (random: Random) => string;
}

/** Words shared by four or more role names ("manager", "engineer" …), sectors, prefixes and big towns to vary requests over. */
async function scenarios(app: FastifyInstance): Promise<Scenario[]> {
  const catalogue = await loadCatalogue(app.store.db);
  const categories = catalogue.jobCategories.rows;
  const roles = categories.filter((row) => row.parent_id !== null && catalogue.jobCategories.get(row.parent_id)?.parent_id != null);
  const sectors = categories.filter((row) => row.parent_id !== null && !roles.includes(row));
  const roleCounts = new Map<string, number>();
  for (const role of roles) {
    for (const word of new Set(role.name.toLowerCase().match(/[a-z]+/g) ?? [])) roleCounts.set(word, (roleCounts.get(word) ?? 0) + 1);
  }
  const words = [...roleCounts].filter(([word, count]) => count >= 4 && word.length >= 4 && !ENGLISH_STOP_WORDS.has(word)).map(([word]) => word);
  const towns = BIG_TOWNS.flatMap((name) => findPlaceAnywhere(name) ?? []).filter((place) => place.countryIso === 'GB');
  const prefix = (random: Random) => random.pick(roles).name.toLowerCase().replace(/[^a-z]/g, '').slice(0, random.integer(2, 3));
  const q = encodeURIComponent;
  return [
    { name: 'keyword', target: 50, url: (r) => `/api/job?q=${q(r.pick(words))}` },
    { name: 'keyword + 25 mi radius', target: 50, url: (r) => `/api/job?q=${q(r.pick(words))}&location=${q(r.pick(towns).name)}&radius=25` },
    { name: 'facets (category = sector)', target: null, url: (r) => `/api/job?category=${r.pick(sectors).handle}` },
    {
      name: 'suggest (2–3 letters, lat/lon)',
      target: 10,
      url: (r) => {
        const town = r.pick(towns);
        return `/api/job/suggest?q=${prefix(r)}&lat=${town.lat}&lon=${town.lon}`;
      },
    },
  ];
}

interface Server {
  readonly base: string;
  stop(): Promise<void>;
}

async function startServer(fresh: FreshStore): Promise<Server> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./search-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH, PGAPPNAME: fresh.applicationName, ...serverEnvironment(fresh) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      await fresh.cancelQueries();
    },
  };
}

async function issueVendorToken(base: string): Promise<string> {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password }),
  });
  if (response.status !== 200) throw new Error(`token request failed: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Times one request; null when it timed out. */
async function timeRequest(url: string, token: string): Promise<{ ms: number; total: number | null } | null> {
  const before = performance.now();
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.jb.v1+json' },
      signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
    });
    const body = (await response.json()) as { meta?: { pagination?: { total?: number } } };
    const ms = performance.now() - before;
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    return { ms, total: body.meta?.pagination?.total ?? null };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return null;
    throw error;
  }
}

/** Warm-up takes at most this share of a scenario's time, so slow scenarios still get measured. */
const WARMUP_SHARE = 0.2;

async function measure(server: Server, token: string, scenario: Scenario, random: Random): Promise<Measured> {
  const timings: number[] = [];
  const totals: number[] = [];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const ask = () => timeRequest(`${server.base}${scenario.url(random)}`, token);
  let timeoutSeconds: number | null = null;
  for (let n = 0; n < WARMUP && elapsed() < MAX_SECONDS * WARMUP_SHARE && timeoutSeconds === null; n += 1) {
    if (!(await ask())) timeoutSeconds = TIMEOUT_SECONDS;
  }
  for (let n = 0; n < REQUESTS && elapsed() < MAX_SECONDS && timeoutSeconds === null; n += 1) {
    const timed = await ask();
    if (!timed) timeoutSeconds = TIMEOUT_SECONDS;
    else {
      timings.push(timed.ms);
      if (timed.total !== null) totals.push(timed.total);
    }
  }
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    name: scenario.name,
    target: scenario.target,
    count: timings.length,
    timeoutSeconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: mean(timings),
    meanTotal: totals.length ? mean(totals) : null,
  };
}

interface Seeded {
  readonly seeding: SeedOutcome;
  readonly sizeBytes: number;
}

/** Seeds the store in this process, and notes the outcome beside it. */
async function seedStore(store: StoreName, fresh: FreshStore): Promise<Seeded> {
  const app = await buildApp(loadConfig(serverEnvironment(fresh)));
  try {
    const seeding = await seedFakeJobs(app.store.db, app.store.dialect, { jobs: JOBS, seed: SEED, onProgress: (line) => say(`${store}: ${line}`) });
    say(`${store}: ${describeSeeding(seeding)}`);
    const seeded = { seeding, sizeBytes: await fresh.sizeBytes(app) };
    writeFileSync(fresh.seedingFile, JSON.stringify(seeded));
    return seeded;
  } finally {
    await app.close();
  }
}

async function plannedScenarios(fresh: FreshStore): Promise<Scenario[]> {
  const app = await buildApp(loadConfig(serverEnvironment(fresh)));
  try {
    return await scenarios(app);
  } finally {
    await app.close();
  }
}

async function runStore(store: StoreName): Promise<StoreResult> {
  const fresh = storeFor(store);
  say(`${store}: ${args.reuse ? 'reusing' : 'a fresh store at'} ${fresh.url}`);
  try {
    const seeded: Seeded = args.reuse ? JSON.parse(readFileSync(fresh.seedingFile, 'utf8')) : await seedStore(store, fresh);
    if (seeded.seeding.jobs !== JOBS) throw new Error(`${fresh.url} holds ${seeded.seeding.jobs} fake jobs, not ${JOBS}`);
    const random = seededRandom(SEED);
    const results: Measured[] = [];
    for (const scenario of await plannedScenarios(fresh)) {
      say(`${store}: measuring ${scenario.name}`);
      // A fresh server per scenario: one stuck in a timed-out query must not slow the next.
      const server = await startServer(fresh);
      try {
        const result = await measure(server, await issueVendorToken(server.base), scenario, random);
        if (result.timeoutSeconds !== null) say(`${store}: ${scenario.name} timed out after ${result.count} requests`);
        results.push(result);
      } finally {
        await server.stop();
      }
    }
    return { store, ...seeded, results };
  } finally {
    if (args.keep || args.reuse) say(`${store}: kept ${fresh.url}`);
    else await fresh.drop();
  }
}

const command = `node --import tsx bench/search.ts ${process.argv.slice(2).join(' ')}`;
const before = machine();
const results: StoreResult[] = [];
for (const store of STORES) results.push(await runStore(store));
const section = writeSection({ jobs: JOBS, command, machine: before, results, requests: REQUESTS, warmup: WARMUP }, !args['no-write']);
process.stdout.write(`${section}\n`);
