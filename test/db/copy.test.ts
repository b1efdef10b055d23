import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/db/connect.ts';
import { CopyError, copyStore, TABLES } from '../../src/db/copy.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { auth, createTenant, DEMO, issueToken } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { dropPostgresSchema, freshPostgresUrl, stores, type StoreName } from '../support/stores.ts';
import { ROOT, runJobspace, type Run } from '../support/cli.ts';

const folder = mkdtempSync(join(tmpdir(), 'jobspace-copy-'));
const SOURCE_URL = `sqlite:${join(folder, 'source.sqlite')}`;
let files = 0;
const newSqliteUrl = () => `sqlite:${join(folder, `copy-${(files += 1)}.sqlite`)}`;

function buildAppOn(databaseUrl: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  return buildApp(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0', LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0', PUBLIC_URL: 'http://jobs.test', ...env }));
}

/** A new, empty store of the given kind, and how to remove it. */
function freshStore(kind: StoreName): { url: string; drop(): Promise<void> } {
  if (kind === 'sqlite') return { url: newSqliteUrl(), drop: async () => undefined };
  const { url, schema } = freshPostgresUrl();
  return { url, drop: () => dropPostgresSchema(schema) };
}

async function countRows(databaseUrl: string): Promise<Record<string, number>> {
  const store = openStore(databaseUrl);
  try {
    const counts: Record<string, number> = {};
    for (const { name } of TABLES) {
      const row = await store.db.selectFrom(name).select((eb) => eb.fn.countAll().as('rows')).executeTakeFirstOrThrow();
      counts[name] = Number(row.rows);
    }
    return counts;
  } finally {
    await store.db.destroy();
  }
}

/** Runs the command in this process; DATABASE_URL plays no part in a copy. */
const jobspace = (args: string[]) => runJobspace(args);

/** Bad input: exit 2, nothing on stdout, exactly one line naming the problem. */
async function failsWith(args: string[], problem: RegExp): Promise<void> {
  const run = await jobspace(['store', 'copy', ...args]);
  assert.equal(run.code, 2, `jobspace store copy ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^jobspace: [^\n]+\n$/);
  assert.match(run.stderr, problem);
}

/**
 * A copy of the source whose job_sites, read after most tables were copied,
 * fails on its first row: a view in its place that overflows an integer.
 */
async function sourceFailingHalfWay(): Promise<string> {
  const url = newSqliteUrl();
  await copyStore(SOURCE_URL, url);
  const store = openStore(url);
  try {
    await sql`alter table job_sites rename to job_sites_rows`.execute(store.db);
    await sql`create view job_sites as select * from job_sites_rows where abs(-9223372036854775808) > 0`.execute(store.db);
  } finally {
    await store.db.destroy();
  }
  return url;
}

/** What the source store served before the copy, to be served again after it. */
const source = {
  demoJobs: [] as Record<string, unknown>[],
  deletedJobId: 0,
  tenant: undefined as unknown as Awaited<ReturnType<typeof createTenant>>,
  tenantJob: {} as Record<string, unknown>,
  demoListing: [] as unknown[],
  searchHits: [] as unknown[],
  counts: {} as Record<string, number>,
};

const read = async (app: FastifyInstance, token: string, id: unknown) => {
  const response = await app.inject({ url: `/api/job/${id}`, headers: auth(token) });
  return { status: response.statusCode, data: response.statusCode === 200 ? response.json().data : undefined };
};
const listing = async (app: FastifyInstance, token: string, query = '') =>
  (await app.inject({ url: `/api/job${query}`, headers: auth(token) })).json().data;
const SEARCH = '?q=ledgers&status=any';

/** A SQLite store made through the real app: the demo tenant's jobs (one deleted) and a second tenant's. */
async function populateSource(): Promise<void> {
  const app = await buildAppOn(SOURCE_URL, {
    JOBSPACE_DEMO_CLIENT_ID: DEMO.clientId,
    JOBSPACE_DEMO_CLIENT_SECRET: DEMO.clientSecret,
    JOBSPACE_DEMO_USERNAME: DEMO.username,
    JOBSPACE_DEMO_PASSWORD: DEMO.password,
  });
  try {
    const token = await issueToken(app);
    const create = async (bearer: string, overrides: Record<string, unknown>) => {
      const response = await app.inject({ method: 'POST', url: '/api/job', payload: jobJson(overrides), headers: auth(bearer) });
      assert.equal(response.statusCode, 201, response.body);
      return response.json().data.id as number;
    };
    const ids = [
      await create(token, { reference: 'COPY-1', postcode: 'S1 4BY', sites: [1, 2] }),
      await create(token, { reference: 'COPY-2', benefits: 'A pension', skills: 'Ledgers' }),
      await create(token, { reference: 'COPY-3', location_geo_lat: 51.5, location_geo_lon: -0.12 }),
    ];
    source.deletedJobId = await create(token, { reference: 'COPY-GONE' });
    const deleted = await app.inject({ method: 'POST', url: `/api/job/${source.deletedJobId}/delete`, headers: auth(token) });
    assert.equal(deleted.statusCode, 200, deleted.body);
    await app.inject({ method: 'POST', url: `/api/job/${ids[1]}/update`, payload: { name: 'Head Accountant' }, headers: auth(token) });
    for (const id of ids) source.demoJobs.push((await read(app, token, id)).data);
    source.demoListing = await listing(app, token);
    source.searchHits = await listing(app, token, SEARCH);

    source.tenant = await createTenant(app, { siteIds: [2] });
    const tenantToken = await issueToken(app, source.tenant);
    const tenantJobId = await create(tenantToken, { organisation: source.tenant.organisation, sites: [2] });
    source.tenantJob = (await read(app, tenantToken, tenantJobId)).data;
  } finally {
    await app.close();
  }
  source.counts = await countRows(SOURCE_URL);
}

before(populateSource);
after(() => rmSync(folder, { recursive: true, force: true }));

for (const kind of stores) describe(`jobspace store copy: SQLite → ${kind}`, () => {
  const target = freshStore(kind);
  let run: Run;
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    run = await jobspace(['store', 'copy', '--from', SOURCE_URL, '--to', target.url]);
    assert.equal(run.code, 0, run.stderr);
    app = await buildAppOn(target.url);
    token = await issueToken(app);
  });
  after(async () => {
    await app?.close();
    await target.drop();
  });

  it('prints one line per table, parents first, with the rows copied', () => {
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, TABLES.map(({ name }) => `${name} ${source.counts[name]} rows\n`).join(''));
    assert.equal(source.counts.jobs, 5);
    assert.ok((source.counts.countries ?? 0) > 200, 'look-ups are copied like the rest');
  });

  it('serves the copied jobs with their ids and JSON, timestamps included, to a new token for the same credentials', async () => {
    for (const job of source.demoJobs) assert.deepEqual(await read(app, token, job.id), { status: 200, data: job });
    assert.deepEqual(await listing(app, token), source.demoListing);
    const tenantToken = await issueToken(app, source.tenant);
    assert.deepEqual(await read(app, tenantToken, source.tenantJob.id), { status: 200, data: source.tenantJob });
  });

  it('finds the copied jobs by keyword: the full-text index is rebuilt on the target', async () => {
    assert.equal(source.searchHits.length, 1);
    assert.deepEqual(await listing(app, token, SEARCH), source.searchHits);
  });

  it('still answers 410 for the deleted job', async () => {
    assert.equal((await read(app, token, source.deletedJobId)).status, 410);
  });

  it('gives a new job an id above the copied ones', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/job', payload: jobJson(), headers: auth(token) });
    assert.equal(response.statusCode, 201, response.body);
    assert.ok(response.json().data.id > (source.tenantJob.id as number), `new id ${response.json().data.id}`);
  });

  it(`copies the ${kind} store back into a new SQLite file, row for row`, async () => {
    const back = newSqliteUrl();
    const counts = await copyStore(target.url, back);
    const expected = await countRows(target.url);
    assert.deepEqual(Object.fromEntries(counts.map(({ table, rows }) => [table, rows])), expected);
    assert.deepEqual(await countRows(back), expected);
    assert.equal(expected.jobs, (source.counts.jobs ?? 0) + 1);
  });

  it('refuses to write into a store that holds data, leaving it as it was', async () => {
    const before = await countRows(target.url);
    await failsWith(['--from', SOURCE_URL, '--to', target.url], /--to store is not empty .*--force/);
    assert.deepEqual(await countRows(target.url), before);
  });

  it('with --force, leaves the target as it was when the source fails half-way through its reading', async () => {
    const before = await countRows(target.url);
    const failing = await sourceFailingHalfWay();
    await assert.rejects(copyStore(failing, target.url, { force: true }), /integer overflow/);
    assert.deepEqual(await countRows(target.url), before);
    const run = await jobspace(['store', 'copy', '--from', failing, '--to', target.url, '--force']);
    assert.deepEqual(run, { code: 1, stdout: '', stderr: 'jobspace: failed: integer overflow\n' });
    assert.deepEqual(await countRows(target.url), before);
  });

  it('with --force, refuses a --from SQLite file that does not exist, without creating it or touching the target', async () => {
    const before = await countRows(target.url);
    const missing = join(folder, 'missing.sqlite');
    await failsWith(['--from', `sqlite:${missing}`, '--to', target.url, '--force'], /--from store sqlite:.*missing\.sqlite does not exist/);
    assert.equal(existsSync(missing), false);
    assert.deepEqual(await countRows(target.url), before);
  });

  it('with --force replaces the data of the target with the source\'s', async () => {
    await app.close();
    const counts = await copyStore(SOURCE_URL, target.url, { force: true });
    assert.deepEqual(Object.fromEntries(counts.map(({ table, rows }) => [table, rows])), source.counts);
    app = await buildAppOn(target.url);
    token = await issueToken(app);
    for (const job of source.demoJobs) assert.deepEqual(await read(app, token, job.id), { status: 200, data: job });
  });

  it('copies the audit trail as the history it is, and --force leaves the target\'s trail append-only again', async () => {
    assert.ok((source.counts.audit_log ?? 0) > 0, 'the source has a trail');
    const sourceStore = openStore(SOURCE_URL);
    const targetStore = openStore(target.url);
    try {
      const trail = (db: typeof sourceStore.db) => db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      const sourceTrail = await trail(sourceStore.db);
      const targetTrail = await trail(targetStore.db);
      assert.deepEqual(targetTrail.slice(0, sourceTrail.length), sourceTrail);
      await assert.rejects(targetStore.db.deleteFrom('audit_log').execute(), /append-only/);
      await assert.rejects(targetStore.db.updateTable('audit_log').set({ action: 'forged' }).execute(), /append-only/);
    } finally {
      await sourceStore.db.destroy();
      await targetStore.db.destroy();
    }
  });
});

describe('jobspace store copy: bad input', () => {
  it('refuses the same store as --from and --to', () =>
    failsWith(['--from', SOURCE_URL, '--to', `sqlite:${relative(ROOT, join(folder, 'source.sqlite'))}`], /same store/));

  it('names a store it cannot reach, exiting 1: a failure of the moment, not a wrong command', async () => {
    const run = await jobspace(['store', 'copy', '--from', SOURCE_URL, '--to', 'postgres://root@127.0.0.1:1/test']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^jobspace: failed: cannot reach the --to store: .*ECONNREFUSED[^\n]*\n$/);
  });

  it('refuses a URL that names no kind of store', () =>
    failsWith(['--from', SOURCE_URL, '--to', './other.sqlite'], /--to must start with sqlite: or postgres:\/\//));

  it('needs both --from and --to', () => failsWith(['--from', SOURCE_URL], /store copy needs --to URL/));

  it('refuses a --from file that is not a database before it opens, or makes, the --to store', async () => {
    const notADatabase = join(folder, 'notes.txt');
    writeFileSync(notADatabase, 'not a database, just words long enough to fill a header of one hundred bytes or so, and more');
    const to = join(folder, 'never-made.sqlite');
    await failsWith(['--from', `sqlite:${notADatabase}`, '--to', `sqlite:${to}`], /cannot open the --from store: file is not a database/);
    assert.equal(existsSync(to), false);
  });

  it('throws a CopyError when called directly', async () => {
    await assert.rejects(copyStore(SOURCE_URL, SOURCE_URL), CopyError);
  });
});

for (const kind of stores) describe(`store copy table list [${kind}]`, () => {
  it('names every table of a migrated store exactly once', async () => {
    const fresh = freshStore(kind);
    const store = openStore(fresh.url);
    try {
      await migrateToLatest(store);
      // Bookkeeping of the migrations, SQLite's full-text index (rebuilt on the target, not copied), and the
      // target's own auth generation and change feed of jobs (its triggers fill them as the copy writes).
      const tables = (await store.db.introspection.getTables())
        .filter((table) => table.schema === store.dialect.schema && !/^(schema_migrations|jobs_fts|auth_generation$|job_changes$)/.test(table.name))
        .map((table) => table.name);
      const listed = TABLES.map(({ name }) => name);
      assert.equal(new Set(listed).size, listed.length);
      assert.deepEqual([...listed].sort(), tables.sort());
    } finally {
      await store.db.destroy();
      await fresh.drop();
    }
  });
});
