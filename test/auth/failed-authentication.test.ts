import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { auth, buildTestApp, createTenant, DEMO, issueToken, V1, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';

const BOGUS = 'Bearer abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const passwordGrant = passwordGrantFor();
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let addresses = 0;
/** An address of its own for each test, so that one test's failures do not count against another's. */
const freshAddress = () => `10.0.0.${(addresses += 1)}`;

for (const store of stores) describe(`failed authentication [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store, {
      AUTH_FAILURE_LIMIT: '3',
      AUTH_FAILURE_WINDOW_SECONDS: '60',
      AUTH_USERNAME_FAILURE_LIMIT: '2',
      AUTH_USERNAME_FAILURE_WINDOW_SECONDS: '300',
    });
  });
  after(() => test.close());

  const from = (remoteAddress: string, options: InjectOptions) => test.app.inject({ ...options, remoteAddress });
  const jobs = (remoteAddress: string, authorization: string) =>
    from(remoteAddress, { url: '/api/job/type', headers: { accept: V1, authorization } });
  const token = (remoteAddress: string, payload: Record<string, string>) =>
    from(remoteAddress, { method: 'POST', url: '/oauth/token', payload });

  describe('on /api', () => {
    it('answers 429 in the envelope with Retry-After once an address is past its limit of bad bearer tokens', async () => {
      const address = freshAddress();
      for (let i = 0; i < 3; i += 1) assert.equal((await jobs(address, BOGUS)).statusCode, 401);
      const refused = await jobs(address, BOGUS);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['retry-after'], '60');
      assert.deepEqual(Object.keys(refused.json().data).sort(), ['message', 'status_code']);
      assert.equal(refused.json().data.status_code, 429);
      assert.match(refused.json().data.message, /failed authentications/);
    });

    it('refuses even a valid token from an address past its limit, and serves it from another', async () => {
      const valid = `Bearer ${await issueToken(test.app)}`;
      const address = freshAddress();
      for (let i = 0; i < 3; i += 1) await jobs(address, BOGUS);
      assert.equal((await jobs(address, valid)).statusCode, 429);
      assert.equal((await jobs(freshAddress(), valid)).statusCode, 200);
    });

    it('serves a valid token from an address with failures below the limit, and does not count successes', async () => {
      const valid = `Bearer ${await issueToken(test.app)}`;
      const address = freshAddress();
      for (let i = 0; i < 10; i += 1) assert.equal((await jobs(address, valid)).statusCode, 200);
      for (let i = 0; i < 2; i += 1) await jobs(address, BOGUS);
      assert.equal((await jobs(address, valid)).statusCode, 200);
    });

    it('does not count a request that brought no credentials', async () => {
      const address = freshAddress();
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await from(address, { url: '/api/job/type', headers: { accept: V1 } })).statusCode, 401);
      }
    });

    it('counts bad R2 Basic credentials per address, and a bad password per username too', async () => {
      const tenant = await createTenant(test.app, { basic: true });
      const r2 = (address: string, password: string, clientSecret = tenant.clientSecret) =>
        from(address, {
          url: '/api/job/type',
          headers: { accept: V1, 'client-id': tenant.clientId, 'client-secret': clientSecret, authorization: basic(tenant.username, password) },
        });
      const address = freshAddress();
      for (let i = 0; i < 3; i += 1) assert.equal((await r2(address, tenant.password, 'wrong secret')).statusCode, 401);
      assert.equal((await r2(address, tenant.password)).statusCode, 429, 'the address is past its limit');
      assert.equal((await r2(freshAddress(), tenant.password)).statusCode, 200, 'a bad client secret does not count against the user');
      assert.equal((await r2(freshAddress(), 'wrong password')).statusCode, 401);
      assert.equal((await r2(freshAddress(), 'wrong password')).statusCode, 401);
      assert.equal((await r2(freshAddress(), tenant.password)).statusCode, 429, 'the username is past its limit');
    });
  });

  describe('on /oauth/token', () => {
    it("answers 429 in RFC 6749's shape with Retry-After once an address is past its limit of bad client secrets, correct ones included", async () => {
      const address = freshAddress();
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await token(address, { ...passwordGrant, client_secret: 'wrong' })).json().error, 'invalid_client');
      }
      const refused = await token(address, passwordGrant);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['retry-after'], '60');
      assert.equal(refused.headers['cache-control'], 'no-store');
      const body = refused.json();
      assert.equal(body.error, 'too_many_requests');
      assert.equal(typeof body.error_description, 'string');
      assert.equal(body.message, body.error_description);
      assert.equal((await token(freshAddress(), passwordGrant)).statusCode, 200);
    });

    it('refuses a username past its limit from any address, correct password included, and no other username', async () => {
      const tenant = await createTenant(test.app);
      const grant = { ...passwordGrant, client_id: tenant.clientId, client_secret: tenant.clientSecret, username: tenant.username };
      assert.equal((await token(freshAddress(), { ...grant, password: 'guess 1' })).json().error, 'invalid_grant');
      assert.equal((await token(freshAddress(), { ...grant, password: 'guess 2' })).json().error, 'invalid_grant');
      const refused = await token(freshAddress(), { ...grant, password: tenant.password });
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['retry-after'], '300');
      const other = await createTenant(test.app);
      const otherGrant = { ...grant, client_id: other.clientId, client_secret: other.clientSecret, username: other.username, password: other.password };
      assert.equal((await token(freshAddress(), otherGrant)).statusCode, 200);
    });

    it('counts a token request that brought no client credentials as a refused client', async () => {
      const address = freshAddress();
      const { client_id: _id, client_secret: _secret, ...anonymous } = passwordGrant;
      for (let i = 0; i < 3; i += 1) assert.equal((await token(address, anonymous)).json().error, 'invalid_client');
      assert.equal((await token(address, passwordGrant)).statusCode, 429);
    });

    it('does not count successes: an address may be issued any number of tokens', async () => {
      const address = freshAddress();
      for (let i = 0; i < 5; i += 1) assert.equal((await token(address, passwordGrant)).statusCode, 200);
    });

    it('does not count a refused refresh token, which cannot be guessed', async () => {
      const address = freshAddress();
      const refresh = { grant_type: 'refresh_token', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, refresh_token: 'unknown' };
      for (let i = 0; i < 4; i += 1) assert.equal((await token(address, refresh)).json().error, 'invalid_grant');
    });

    it('adds bad bearer tokens and bad client secrets of one address together', async () => {
      const address = freshAddress();
      await jobs(address, BOGUS);
      await jobs(address, BOGUS);
      await token(address, { ...passwordGrant, client_secret: 'wrong' });
      assert.equal((await token(address, passwordGrant)).statusCode, 429);
      assert.equal((await jobs(address, auth(await issueToken(test.app)).authorization)).statusCode, 429);
    });
  });

  describe('on /oauth/revoke', () => {
    const revoke = (remoteAddress: string, clientSecret: string) =>
      from(remoteAddress, { method: 'POST', url: '/oauth/revoke', payload: { token: 'any', client_id: DEMO.clientId, client_secret: clientSecret } });

    it('counts a refused client against its address, as the token endpoint does, and answers 429 past the limit, correct secrets included', async () => {
      const address = freshAddress();
      for (let i = 0; i < 3; i += 1) assert.equal((await revoke(address, 'wrong')).statusCode, 401);
      const refused = await revoke(address, DEMO.clientSecret);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error, 'too_many_requests');
      assert.equal((await token(address, passwordGrant)).statusCode, 429, 'the same count as /oauth/token');
      assert.equal((await revoke(freshAddress(), DEMO.clientSecret)).statusCode, 200);
    });
  });
});
