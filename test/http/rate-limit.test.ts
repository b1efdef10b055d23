import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { auth, buildTestApp, createTenant, DEMO, issueToken, passwordGrantFor, type TestApp } from '../support/app.ts';
import { issueBoardToken } from '../support/applications.ts';
import { multipartBody } from '../support/fixtures.ts';
import { freshRedisPrefix, REDIS_URL, redisSkip } from '../support/redis.ts';
import { createClient } from '../../src/tenancy/service.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { freePort } from '../server/process.ts';

const isConfigError = (variable: string) => (error: unknown) => error instanceof ConfigError && error.variable === variable;

function assertRefused(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 429, response.body);
  assert.match(String(response.headers['content-type']), /^application\/json; charset=utf-8/);
  assert.deepEqual(response.json().data, { message: '429 Too Many Requests: slow down and retry after the Retry-After seconds.', status_code: 429 });
  assert.ok(Number(response.headers['retry-after']) > 0, 'Retry-After');
  assert.equal(response.headers['x-ratelimit-remaining'], '0');
}

describe('rate-limit settings', () => {
  it('count in memory by default, 60 token requests a minute, under the prefix jobspace:', () => {
    const config = loadConfig({});
    assert.equal(config.redisUrl, null);
    assert.equal(config.tokenRateLimitPerMinute, 60);
    assert.equal(config.redisKeyPrefix, 'jobspace:');
  });

  it('read REDIS_URL as a redis:// or rediss:// URL', () => {
    assert.equal(loadConfig({ REDIS_URL: 'redis://:secret@cache.internal:6379/2' }).redisUrl, 'redis://:secret@cache.internal:6379/2');
    assert.equal(loadConfig({ REDIS_URL: 'rediss://cache.internal' }).redisUrl, 'rediss://cache.internal');
  });

  for (const value of ['cache.internal:6379', 'http://cache.internal', 'redis://', 'redis//:hunter2@cache']) {
    it(`refuse REDIS_URL=${value} without echoing it`, () => {
      assert.throws(() => loadConfig({ REDIS_URL: value }), (error: unknown) => isConfigError('REDIS_URL')(error) && !(error as Error).message.includes('hunter2'));
    });
  }

  const refused: [string, string][] = [['REDIS_KEY_PREFIX', 'two words'], ['REDIS_KEY_PREFIX', 'x'.repeat(101)], ['TOKEN_RATE_LIMIT_PER_MINUTE', '-1']];
  for (const [variable, value] of refused) {
    it(`refuse ${variable}=${value.slice(0, 20)} naming the variable`, () => {
      assert.throws(() => loadConfig({ [variable]: value }), isConfigError(variable));
    });
  }
});

describe('POST /oauth/token rate limits', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite', { TOKEN_RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_PER_MINUTE: '1' });
  });
  after(() => test.close());

  const from = (remoteAddress: string, options: InjectOptions) => test.app.inject({ method: 'POST', url: '/oauth/token', remoteAddress, ...options });

  it('answers 429 in the envelope with Retry-After past TOKEN_RATE_LIMIT_PER_MINUTE requests from one address, and serves other addresses', async () => {
    const board = await createClient(test.app.store.db, { name: 'Limited board', siteIds: [1], allowBasic: false, board: true });
    const grant = { grant_type: 'client_credentials', client_id: board.clientId, client_secret: board.clientSecret };
    const first = await from('10.1.0.1', { payload: grant });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['x-ratelimit-limit'], '2');
    assert.equal(first.headers['x-ratelimit-remaining'], '1');
    assert.equal((await from('10.1.0.1', { payload: grant })).statusCode, 200);
    assertRefused(await from('10.1.0.1', { payload: grant }));
    assert.equal((await from('10.1.0.2', { payload: grant })).statusCode, 200, 'another address has its own count');
  });

  it('refuses a username past its limit from any address, whichever body format and case name it, and serves other usernames', async () => {
    const grant = passwordGrantFor();
    const json = await from('10.2.0.1', { payload: grant });
    assert.equal(json.statusCode, 200, json.body);
    const form = new URLSearchParams({ ...grant, username: DEMO.username.toUpperCase() }).toString();
    const formed = await from('10.2.0.2', { payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(formed.statusCode, 200, formed.body);
    const multipart = multipartBody(Object.entries(grant));
    const refused = await from('10.2.0.3', { payload: multipart.body, headers: { 'content-type': multipart.contentType } });
    assertRefused(refused);
    assert.equal(refused.headers['x-ratelimit-limit'], '2');
    const other = await createTenant(test.app);
    assert.equal((await from('10.2.0.3', { payload: passwordGrantFor(other) })).statusCode, 200, "another username, from the refused username's address");
  });

  it('are counted apart from the request limit of /api, which does not count them', async () => {
    // A board's token: the demo username is past its own limit by now.
    const token = await issueBoardToken(test.app);
    assert.equal((await test.app.inject({ url: '/api/job/type', headers: auth(token) })).statusCode, 200);
    assertRefused(await test.app.inject({ url: '/api/job/type', headers: auth(token) }));
    assert.equal((await test.app.inject({ url: '/api/job/type', headers: auth(token) })).statusCode, 429);
    const grant = await from('127.0.0.1', { payload: { grant_type: 'client_credentials', client_id: DEMO.clientId, client_secret: DEMO.clientSecret } });
    assert.notEqual(grant.statusCode, 429, 'a token request is not refused for the API count');
  });
});

describe('the request limit (RATE_LIMIT_PER_MINUTE)', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '2', AUTH_FAILURE_LIMIT: '0', AUTH_USERNAME_FAILURE_LIMIT: '0' });
  });
  after(() => test.close());

  it('counts one bearer token once however its Authorization header spells the scheme and spaces', async () => {
    const token = await issueToken(test.app);
    const spelt = [`Bearer ${token}`, `bearer ${token}`, `BEARER   ${token} `];
    const answers = [];
    for (const authorization of spelt) answers.push(await test.app.inject({ url: '/api/job/type', headers: { ...auth(token), authorization } }));
    assert.deepEqual(answers.map((answer) => answer.statusCode), [200, 200, 429]);
    assertRefused(answers[2] as LightMyRequestResponse);
  });

  it('counts R2 Basic credentials by their username, whatever its letter case', async () => {
    const tenant = await createTenant(test.app, { basic: true });
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const statuses = [];
    for (const user of [tenant.username, tenant.username.toUpperCase(), tenant.username]) {
      const response = await test.app.inject({
        url: '/api/job/type',
        headers: { accept: 'application/vnd.jb.v1+json', 'client-id': tenant.clientId, 'client-secret': tenant.clientSecret, authorization: basic(user, tenant.password) },
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});

describe('rate limits with REDIS_URL unreachable', () => {
  it('serve every request, uncounted (fail open)', async () => {
    const test = await buildTestApp('sqlite', { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_PER_MINUTE: '1', TOKEN_RATE_LIMIT_PER_MINUTE: '1' });
    try {
      const token = await issueToken(test.app);
      await issueToken(test.app);
      for (let request = 0; request < 3; request += 1) {
        assert.equal((await test.app.inject({ url: '/api/job/type', headers: auth(token) })).statusCode, 200);
      }
    } finally {
      await test.close();
    }
  });
});

describe('rate limits counted in Redis', { skip: redisSkip }, () => {
  const apps: TestApp[] = [];
  after(() => Promise.all(apps.map((test) => test.close())));

  /** An app on the first app's store, so that tokens are good on both, counting under `prefix`. */
  async function appOnOneStore(prefix: string): Promise<TestApp> {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '3', ...(apps[0] ? { DATABASE_URL: apps[0].config.databaseUrl } : {}) };
    const test = await buildTestApp('sqlite', env);
    apps.push(test);
    return test;
  }

  it('GET /api/…: two apps on one Redis and prefix refuse a token past the limit in total, and another prefix counts apart', async () => {
    const prefix = freshRedisPrefix();
    const [one, two] = [await appOnOneStore(prefix), await appOnOneStore(prefix)] as [TestApp, TestApp];
    const token = await issueBoardToken(one.app);
    const list = (test: TestApp) => test.app.inject({ url: '/api/job/type', headers: auth(token) });
    const remaining = [];
    for (const test of [one, two, one]) {
      const response = await list(test);
      assert.equal(response.statusCode, 200, response.body);
      remaining.push(response.headers['x-ratelimit-remaining']);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    assertRefused(await list(two));
    assertRefused(await list(one));
    const apart = await appOnOneStore(freshRedisPrefix());
    assert.equal((await list(apart)).statusCode, 200, 'a count under another prefix');
  });
});
