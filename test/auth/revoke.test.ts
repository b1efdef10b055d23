import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { auth, buildTestApp, createTenant, type Credentials, DEMO, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { buildApp } from '../../src/app.ts';
import { hashToken } from '../../src/auth/secrets.ts';

interface Pair {
  access_token: string;
  refresh_token: string;
}

const demoClient = { client_id: DEMO.clientId, client_secret: DEMO.clientSecret };
const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

for (const store of stores) describe(`POST /oauth/revoke [${store}]`, () => {
  let test: TestApp;
  /** A second server process on the same store, with its own caller cache. */
  let worker: FastifyInstance;
  before(async () => {
    test = await buildTestApp(store);
    worker = await buildApp(test.config);
  });
  after(async () => {
    await worker.close();
    await test.close();
  });

  const login = async (app = test.app, credentials: Credentials = DEMO): Promise<Pair> =>
    (await app.inject({ method: 'POST', url: '/oauth/token', payload: passwordGrantFor(credentials) })).json();
  const revoke = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
    test.app.inject({ method: 'POST', url: '/oauth/revoke', payload, headers });
  const jobsStatus = async (accessToken: string, app = test.app) => (await app.inject({ url: '/api/job', headers: auth(accessToken) })).statusCode;
  const refresh = (refreshToken: string) =>
    test.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'refresh_token', ...demoClient, refresh_token: refreshToken } });
  const revokedAt = async (table: 'access_tokens' | 'refresh_tokens', token: string) =>
    (await test.app.store.db.selectFrom(table).select('revoked_at').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()).revoked_at;

  it('answers 200 with an empty JSON object and no-store, and the access token is refused at once', async () => {
    const pair = await login();
    assert.equal(await jobsStatus(pair.access_token), 200);
    const response = await revoke({ token: pair.access_token, token_type_hint: 'access_token', ...demoClient });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '{}');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(await jobsStatus(pair.access_token), 401);
  });

  it('refuses a revoked access token on the very next request of another process that had it cached', async () => {
    const pair = await login();
    assert.equal(await jobsStatus(pair.access_token, worker), 200);
    assert.equal(await jobsStatus(pair.access_token, worker), 200);
    assert.equal((await revoke({ token: pair.access_token, ...demoClient })).statusCode, 200);
    assert.equal(await jobsStatus(pair.access_token, worker), 401);
  });

  it('revokes an access token alone: its refresh token still refreshes', async () => {
    const pair = await login();
    await revoke({ token: pair.access_token, ...demoClient });
    assert.equal(await revokedAt('refresh_tokens', pair.refresh_token), null);
    assert.equal((await refresh(pair.refresh_token)).statusCode, 200);
  });

  it('revokes a refresh token with its whole family, access tokens of every rotation included, on every process', async () => {
    const first = await login();
    const second: Pair = (await refresh(first.refresh_token)).json();
    assert.equal(await jobsStatus(first.access_token, worker), 200);
    assert.equal(await jobsStatus(second.access_token, worker), 200);
    assert.equal((await revoke({ token: second.refresh_token, token_type_hint: 'refresh_token', ...demoClient })).statusCode, 200);
    assert.equal(await jobsStatus(first.access_token, worker), 401);
    assert.equal(await jobsStatus(second.access_token, worker), 401);
    assert.equal((await refresh(second.refresh_token)).json().error, 'invalid_grant');
  });

  it('takes a wrong hint as only a hint: a refresh token hinted as an access token is still revoked', async () => {
    const pair = await login();
    await revoke({ token: pair.refresh_token, token_type_hint: 'access_token', ...demoClient });
    assert.notEqual(await revokedAt('refresh_tokens', pair.refresh_token), null);
    await revoke({ token: (await login()).access_token, token_type_hint: 'no_such_type', ...demoClient });
  });

  it('authenticates the client by HTTP Basic as the token endpoint does', async () => {
    const pair = await login();
    const response = await revoke({ token: pair.access_token }, { authorization: basic(DEMO.clientId, DEMO.clientSecret) });
    assert.equal(response.statusCode, 200);
    assert.equal(await jobsStatus(pair.access_token), 401);
  });

  it('takes JSON and multipart bodies too', async () => {
    const json = await login();
    const asJson = await test.app.inject({ method: 'POST', url: '/oauth/revoke', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token: json.access_token, ...demoClient }) });
    assert.equal(asJson.statusCode, 200);
    const multi = await login();
    const form = new FormData();
    for (const [name, value] of Object.entries({ token: multi.access_token, ...demoClient })) form.append(name, value);
    const request = new Request('http://jobs.test/', { method: 'POST', body: form });
    const asMultipart = await test.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': request.headers.get('content-type') as string },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    assert.equal(asMultipart.statusCode, 200);
    assert.equal(await jobsStatus(json.access_token), 401);
    assert.equal(await jobsStatus(multi.access_token), 401);
  });

  it('answers the same 200 for an unknown, an already revoked and a malformed token', async () => {
    const pair = await login();
    await revoke({ token: pair.access_token, ...demoClient });
    for (const token of ['never-issued', pair.access_token, '!!! not a token !!!']) {
      const response = await revoke({ token, ...demoClient });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, '{}');
    }
  });

  it("answers 200 for another client's token and leaves it working", async () => {
    const other = await createTenant(test.app);
    const theirs = await login(test.app, other);
    const response = await revoke({ token: theirs.access_token, ...demoClient });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '{}');
    assert.equal(await jobsStatus(theirs.access_token), 200);
    await revoke({ token: theirs.refresh_token, ...demoClient });
    assert.equal(await revokedAt('refresh_tokens', theirs.refresh_token), null);
  });

  it('answers 401 invalid_client for a wrong secret, an unknown client or none, and revokes nothing', async () => {
    const pair = await login();
    const refusals = [
      await revoke({ token: pair.access_token, client_id: DEMO.clientId, client_secret: 'wrong' }),
      await revoke({ token: pair.access_token, client_id: 'no-such-client', client_secret: DEMO.clientSecret }),
      await revoke({ token: pair.access_token }),
    ];
    for (const response of refusals) {
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error, 'invalid_client');
      assert.equal(typeof response.json().error_description, 'string');
    }
    assert.equal(await jobsStatus(pair.access_token), 200);
  });

  it('answers 400 invalid_request without a token, or with a parameter sent twice', async () => {
    const missing = await revoke({ ...demoClient });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error, 'invalid_request');
    const twice = await test.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=a&token=b&client_id=${DEMO.clientId}&client_secret=${DEMO.clientSecret}`,
    });
    assert.equal(twice.statusCode, 400);
    assert.equal(twice.json().error, 'invalid_request');
  });
});
