import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, createTenant, DEMO, issueToken, V1, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { revokeClient } from '../../src/tenancy/service.ts';

for (const store of stores) describe(`POST /oauth/token [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  const passwordGrant = passwordGrantFor();
  const token = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
    test.app.inject({ method: 'POST', url: '/oauth/token', payload, headers });

  it('issues a bearer token pair for the password grant, not to be cached', async () => {
    const response = await token(passwordGrant);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 86400);
    assert.match(body.access_token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(body.access_token, body.refresh_token);
  });

  it('signs a user in by their username in any case: usernames are e-mail addresses', async () => {
    const response = await token({ ...passwordGrant, username: DEMO.username.toUpperCase() });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('stores tokens and secrets only as hashes', async () => {
    const body = (await token(passwordGrant)).json();
    const db = test.app.store.db;
    const tokens = await db.selectFrom('access_tokens').select('token_hash').execute();
    assert.ok(tokens.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash)));
    assert.ok(!tokens.some((row) => row.token_hash === body.access_token));
    const client = await db.selectFrom('api_clients').select('secret_hash').executeTakeFirstOrThrow();
    assert.match(client.secret_hash, /^sha256\$[0-9a-f]{64}$/);
    assert.ok(!client.secret_hash.includes(DEMO.clientSecret));
    const user = await db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    assert.match(user.password_hash, /^scrypt\$/);
  });

  const basicClient = () => `Basic ${Buffer.from(`${DEMO.clientId}:${DEMO.clientSecret}`).toString('base64')}`;

  it('accepts client credentials by HTTP Basic', async () => {
    const { client_id: _id, client_secret: _secret, ...rest } = passwordGrant;
    const response = await token(rest, { authorization: basicClient() });
    assert.equal(response.statusCode, 200);
  });

  it('accepts HTTP Basic with the same client_id in the body (RFC 6749 §3.2.1; requests-oauthlib sends it)', async () => {
    const { client_secret: _secret, ...rest } = passwordGrant;
    const response = await token(rest, { authorization: basicClient() });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('treats an empty client_secret in the body beside HTTP Basic as not sent', async () => {
    const response = await token({ ...passwordGrant, client_secret: '' }, { authorization: basicClient() });
    assert.equal(response.statusCode, 200, response.body);
  });

  it('answers invalid_request when the body names another client than HTTP Basic', async () => {
    const { client_secret: _secret, ...rest } = passwordGrant;
    const response = await token({ ...rest, client_id: 'another-client' }, { authorization: basicClient() });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
  });

  it('answers invalid_request to a client_secret in the body beside HTTP Basic: two authentication methods', async () => {
    const response = await token(passwordGrant, { authorization: basicClient() });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
    const { client_id: _id, ...secretOnly } = passwordGrant;
    assert.equal((await token(secretOnly, { authorization: basicClient() })).json().error, 'invalid_request');
  });

  it('answers invalid_client with 401 and a challenge for a wrong secret', async () => {
    const response = await token({ ...passwordGrant, client_secret: 'wrong' });
    assert.equal(response.statusCode, 401);
    assert.match(String(response.headers['www-authenticate']), /^Basic/);
    const body = response.json();
    assert.equal(body.error, 'invalid_client');
    assert.equal(typeof body.error_description, 'string');
    assert.equal(body.message, body.error_description);
  });

  it('answers invalid_grant for a wrong password', async () => {
    const response = await token({ ...passwordGrant, password: 'not-the-password' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('answers unsupported_grant_type and invalid_request', async () => {
    const unsupported = await token({ ...passwordGrant, grant_type: 'client_magic' });
    assert.equal(unsupported.statusCode, 400);
    assert.equal(unsupported.json().error, 'unsupported_grant_type');
    const { grant_type: _grant, ...noGrant } = passwordGrant;
    assert.equal((await token(noGrant)).json().error, 'invalid_request');
    const { username: _user, ...noUser } = passwordGrant;
    assert.equal((await token(noUser)).json().error, 'invalid_request');
  });

  it('refuses a refresh token presented by another client', async () => {
    const first = (await token(passwordGrant)).json();
    const other = await createTenant(test.app);
    const response = await token({
      grant_type: 'refresh_token',
      client_id: other.clientId,
      client_secret: other.clientSecret,
      refresh_token: first.refresh_token,
    });
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('stops every token of a revoked client', async () => {
    const other = await createTenant(test.app);
    const access = (await token({ ...passwordGrant, client_id: other.clientId, client_secret: other.clientSecret })).json()
      .access_token;
    const headers = { authorization: `Bearer ${access}` };
    assert.equal((await test.app.inject({ url: '/api/job', headers })).statusCode, 200);
    await revokeClient(test.app.store.db, other.clientId);
    assert.equal((await test.app.inject({ url: '/api/job', headers })).statusCode, 401);
    const again = await token({ ...passwordGrant, client_id: other.clientId, client_secret: other.clientSecret });
    assert.equal(again.json().error, 'invalid_client');
  });
});

for (const store of stores) describe(`authentication on /api [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  const CHALLENGE = 'Bearer realm="api"';
  const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token"';
  for (const [label, authorization, challenge] of [
    ['no credentials', undefined, CHALLENGE],
    ['a scheme without a token', 'Bearer', CHALLENGE],
    ['another scheme', 'Digest username="demo"', CHALLENGE],
    ['an unknown token', 'Bearer abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', INVALID_TOKEN],
    ['a malformed token', 'Bearer not:a:token', INVALID_TOKEN],
  ] as const) {
    it(`answers 401 Unauthenticated with the challenge ${challenge} for ${label} (RFC 6750 §3)`, async () => {
      const headers: Record<string, string> = { accept: V1 };
      if (authorization) headers.authorization = authorization;
      const response = await test.app.inject({ url: '/api/job', headers });
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers['www-authenticate'], challenge);
      assert.deepEqual(response.json(), { data: { message: 'Unauthenticated', status_code: 401 } });
    });
  }

  it('challenges with invalid_token for a revoked token', async () => {
    const tenant = await createTenant(test.app);
    const access = await issueToken(test.app, tenant);
    await revokeClient(test.app.store.db, tenant.clientId);
    const response = await test.app.inject({ url: '/api/job/type', headers: auth(access) });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], INVALID_TOKEN);
  });

  it('accepts the R2 alternative: Client-Id, Client-Secret and the user in Basic', async () => {
    const response = await test.app.inject({
      url: '/api/job',
      headers: {
        accept: V1,
        'client-id': DEMO.clientId,
        'client-secret': DEMO.clientSecret,
        authorization: `Basic ${Buffer.from(`${DEMO.username}:${DEMO.password}`).toString('base64')}`,
      },
    });
    assert.equal(response.statusCode, 200);
  });

  it('refuses the Basic alternative to a client without it enabled', async () => {
    const other = await createTenant(test.app, { basic: false });
    const response = await test.app.inject({
      url: '/api/job',
      headers: {
        'client-id': other.clientId,
        'client-secret': other.clientSecret,
        authorization: `Basic ${Buffer.from(`${other.username}:${other.password}`).toString('base64')}`,
      },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], CHALLENGE, 'no bearer token came, so no error code');
  });
});
