import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { readAuthGeneration, revokeTokenFamily } from '../../src/auth/repository.ts';
import { hashToken } from '../../src/auth/secrets.ts';
import { tokenFamilyLockFor } from '../../src/auth/family-lock.ts';
import { createClient } from '../../src/tenancy/service.ts';
import { auth, buildTestApp, createTenant, DEMO, issueToken, type Credentials, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { runJobspace } from '../support/cli.ts';
import { POSTGRES_URL, stores } from '../support/stores.ts';

/*
 * The guard keeps each token's caller in memory. These pin that it still sees
 * every revocation and tenancy change on the very next request, whether made
 * by this app, another worker, an operator's command or a bare connection.
 */
for (const store of stores) describe(`authentication on /api with a remembered caller [${store}]`, () => {
  let test: TestApp;
  /** Another worker on the same store: its own connection and its own cache. */
  let worker: FastifyInstance;
  /** A bare connection to the same store, as an operator's SQL. */
  let other: Store;
  before(async () => {
    test = await buildTestApp(store);
    worker = await buildApp(test.config);
    other = openStore(test.config.databaseUrl);
  });
  after(async () => {
    await other.db.destroy();
    await worker.close();
    await test.close();
  });

  const get = (url: string, token: string) => test.app.inject({ url, headers: auth(token) });
  const status = async (url: string, token: string) => (await get(url, token)).statusCode;
  const jobspace = async (...args: string[]) => {
    const run = await runJobspace(args, { DATABASE_URL: test.config.databaseUrl });
    assert.equal(run.code, 0, run.stderr);
  };
  const createJob = async (token: string, overrides: Record<string, unknown>) => {
    const response = await test.app.inject({ method: 'POST', url: '/api/job', payload: jobJson(overrides), headers: auth(token) });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data.id as number;
  };
  const userIdOf = async (credentials: Credentials) =>
    (await other.db.selectFrom('users').select('id').where('username', '=', credentials.username).executeTakeFirstOrThrow()).id;

  /** Tables the store is asked about while `request` runs. */
  async function tablesRead(t: TestContext, request: () => Promise<unknown>): Promise<string[]> {
    const selectFrom = t.mock.method(test.app.store.db, 'selectFrom');
    await request();
    selectFrom.mock.restore();
    return selectFrom.mock.calls.map((call) => String(call.arguments[0]));
  }

  it('reads only the auth generation for a token it has seen', async (t) => {
    const token = await issueToken(test.app);
    const first = await tablesRead(t, () => get('/api/job/options', token));
    assert.deepEqual(first.sort(), ['access_tokens', 'api_client_sites', 'auth_generation', 'memberships']);
    assert.deepEqual(await tablesRead(t, () => get('/api/job/options', token)), ['auth_generation']);
  });

  it('keeps its callers across job posts, which spend credits but grant nothing', async () => {
    const tenant = await createTenant(test.app, { credits: 5 });
    const token = await issueToken(test.app, tenant);
    const before = await readAuthGeneration(other.db);
    await createJob(token, { organisation: tenant.organisation });
    assert.equal(await readAuthGeneration(other.db), before);
  });

  it('answers 401 on the next request once another worker revokes the token family', async () => {
    const pair = (
      await test.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password },
      })
    ).json();
    assert.equal(await status('/api/job/options', pair.access_token), 200);
    const refresh = { grant_type: 'refresh_token', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, refresh_token: pair.refresh_token };
    assert.equal((await worker.inject({ method: 'POST', url: '/oauth/token', payload: refresh })).statusCode, 200);
    assert.equal(await status('/api/job/options', pair.access_token), 200, 'a refresh alone leaves the access token working');
    // Past the reuse interval, so that the reuse revokes.
    await other.db.updateTable('refresh_tokens').set({ used_at: '2000-01-01T00:00:00.000Z' }).where('token_hash', '=', hashToken(pair.refresh_token)).execute();
    const reuse = await worker.inject({ method: 'POST', url: '/oauth/token', payload: refresh });
    assert.equal(reuse.json().error, 'invalid_grant');
    assert.equal(await status('/api/job/options', pair.access_token), 401);
  });

  it('answers 401 on the next request once another process revokes the client', async () => {
    const tenant = await createTenant(test.app);
    const token = await issueToken(test.app, tenant);
    assert.equal(await status('/api/job/options', token), 200);
    await jobspace('client', 'revoke', '--id', tenant.clientId);
    assert.equal(await status('/api/job/options', token), 401);
  });

  it('answers 401 on the next request once a bare connection revokes the token', async () => {
    const token = await issueToken(test.app);
    assert.equal(await status('/api/job/options', token), 200);
    await other.db.updateTable('access_tokens').set({ revoked_at: new Date().toISOString() }).where('token_hash', '=', hashToken(token)).execute();
    assert.equal(await status('/api/job/options', token), 401);
  });

  it('answers 401 on the next read of a job once a bare connection revokes the token, found or not', async () => {
    const tenant = await createTenant(test.app);
    const token = await issueToken(test.app, tenant);
    const job = await createJob(token, { organisation: tenant.organisation });
    assert.equal(await status(`/api/job/${job}`, token), 200);
    await other.db.updateTable('access_tokens').set({ revoked_at: new Date().toISOString() }).where('token_hash', '=', hashToken(token)).execute();
    const refused = await get(`/api/job/${job}`, token);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['www-authenticate'], 'Bearer realm="api", error="invalid_token"');
    assert.equal(await status('/api/job/987654321', token), 401);
  });

  it('reads a job in one statement for a token it has seen, the auth generation within it', async (t) => {
    const tenant = await createTenant(test.app);
    const token = await issueToken(test.app, tenant);
    const job = await createJob(token, { organisation: tenant.organisation });
    await get(`/api/job/${job}`, token);
    const executeQuery = t.mock.method(test.app.store.db.getExecutor(), 'executeQuery');
    assert.equal(await status(`/api/job/${job}`, token), 200);
    executeQuery.mock.restore();
    const statements = executeQuery.mock.calls.map((call) => (call.arguments[0] as { sql: string }).sql);
    assert.equal(statements.length, 1);
    assert.match(statements[0] as string, /from auth_generation/);
  });

  it('sees an organisation another process adds the user to on the next request', async () => {
    const tenant = await createTenant(test.app);
    const theirs = await createJob(await issueToken(test.app, tenant), { organisation: tenant.organisation });
    const user = await createTenant(test.app);
    const token = await issueToken(test.app, user);
    assert.equal(await status(`/api/job/${theirs}`, token), 404);
    await jobspace('user', 'add-org', '--username', user.username, '--org', tenant.organisation);
    assert.equal(await status(`/api/job/${theirs}`, token), 200);
  });

  it('stops showing an organisation a bare connection removes the user from on the next request', async () => {
    const tenant = await createTenant(test.app);
    const token = await issueToken(test.app, tenant);
    const job = await createJob(token, { organisation: tenant.organisation });
    assert.equal(await status(`/api/job/${job}`, token), 200);
    await other.db.deleteFrom('memberships').where('user_id', '=', await userIdOf(tenant)).execute();
    assert.equal(await status(`/api/job/${job}`, token), 404);
  });

  it('shows a board the jobs of a site granted to it through a bare connection on the next request', async () => {
    const vendorToken = await issueToken(test.app);
    const job = await createJob(vendorToken, { sites: [2], close_date: '2099-12-31' });
    const board = await createClient(test.app.store.db, { name: 'A board', siteIds: [1], allowBasic: false, board: true });
    const response = await test.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: board.clientId, client_secret: board.clientSecret },
    });
    const boardToken = response.json().access_token as string;
    assert.equal(await status(`/api/job/${job}`, boardToken), 404);
    await other.db.insertInto('api_client_sites').values({ api_client_id: board.id, site_id: 2 }).execute();
    assert.equal(await status(`/api/job/${job}`, boardToken), 200);
  });

  it('accepts a token another worker issues, having refused it while unknown', async () => {
    const unknown = 'x'.repeat(43);
    assert.equal(await status('/api/job/options', unknown), 401);
    const issued = await issueToken(worker);
    assert.equal(await status('/api/job/options', issued), 200);
  });

  if (store === 'postgres') {
    /** A session of its own, with the database's default search_path, as an operator's psql. */
    async function session<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        return await use(client);
      } finally {
        await client.end();
      }
    }

    it('counts a change made in a session set to another schema', async () => {
      const before = await readAuthGeneration(other.db);
      await session((client) => client.query(`delete from "${other.dialect.schema}".memberships where user_id = -1`));
      assert.equal(await readAuthGeneration(other.db), before + 1);
    });

    it('lets a client revocation and a token family revocation race without a deadlock', async () => {
      const tenant = await createTenant(test.app);
      await issueToken(test.app, tenant);
      const client = await other.db.selectFrom('api_clients').select('id').where('client_id', '=', tenant.clientId).executeTakeFirstOrThrow();
      const token = await other.db.selectFrom('access_tokens').select('family').where('api_client_id', '=', client.id).executeTakeFirstOrThrow();
      await session(async (revoking) => {
        await revoking.query(`set search_path = "${other.dialect.schema}"`);
        await revoking.query('begin');
        await revoking.query('update api_clients set revoked_at = $1 where id = $2', ['now', client.id]);
        const family = other.db.transaction().execute(async (tx) => {
          await tokenFamilyLockFor(other.dialect)(tx, token.family);
          await revokeTokenFamily(tx, token.family, 'now');
        });
        // Time for the family's revocation to start and wait on this transaction.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await revoking.query('update access_tokens set revoked_at = $1 where api_client_id = $2', ['now', client.id]);
        await revoking.query('commit');
        await family;
      });
    });
  }
});
