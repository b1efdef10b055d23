import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { freePort } from '../../bench/http/processes.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { webhookBody } from '../support/webhooks.ts';
import { sampleOf } from './scrape.ts';
import SQLite from 'better-sqlite3';
import { sqliteFileOf } from '../../src/db/dialects/store-url.ts';

const METRICS_TOKEN = 'metrics-token-of-at-least-thirty-two-chars';

describe('METRICS_TOKEN and METRICS_PORT', () => {
  it('are off when unset', () => {
    assert.deepEqual(loadConfig({}).metrics, { token: null, port: null, host: '127.0.0.1' });
  });

  it('bind METRICS_PORT to loopback unless METRICS_HOST opens it', () => {
    assert.equal(loadConfig({ METRICS_PORT: '9464', HOST: '0.0.0.0' }).metrics.host, '127.0.0.1');
    assert.equal(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics.host, '10.0.0.5');
  });

  it('refuse a token shorter than 32 characters, or with spaces, without echoing it', () => {
    for (const token of ['short-token', `${'x'.repeat(31)}`, `${'x'.repeat(20)} ${'y'.repeat(20)}`]) {
      assert.throws(
        () => loadConfig({ METRICS_TOKEN: token }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'METRICS_TOKEN' && !error.message.includes(token),
      );
    }
  });

  it('refuse a port that is not one, or is the API\'s own', () => {
    for (const env of [{ METRICS_PORT: '0' }, { METRICS_PORT: '65536' }, { METRICS_PORT: 'nine' }, { PORT: '8080', METRICS_PORT: '8080' }]) {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.variable === 'METRICS_PORT');
    }
    assert.equal(loadConfig({ METRICS_PORT: '9464' }).metrics.port, 9464);
  });
});

describe('GET /metrics without METRICS_TOKEN or METRICS_PORT', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite');
  });
  after(() => test.close());

  it('is 404 in the envelope, whatever the Authorization', async () => {
    for (const headers of [{}, { authorization: `Bearer ${METRICS_TOKEN}` }]) {
      const response = await test.app.inject({ url: '/metrics', headers });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().data.status_code, 404);
    }
  });
});

for (const store of stores) describe(`GET /metrics with METRICS_TOKEN [${store}]`, () => {
  let test: TestApp;
  let token: string;
  let receiver: Receiver;
  before(async () => {
    test = await buildTestApp(store, { METRICS_TOKEN, WEBHOOK_ALLOW_PRIVATE: 'true' });
    token = await issueToken(test.app);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.stop();
    await test.close();
  });

  const scrape = async () => {
    const response = await test.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return response.body;
  };
  const postJob = async (fields: Record<string, unknown>) => {
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson(fields) });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data.id as number;
  };

  it('answers 401 in the envelope without a token, with a wrong one, and with an API token', async () => {
    for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Bearer ${token}`, `Basic ${METRICS_TOKEN}`]) {
      const response = await test.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.json().data.status_code, 401);
      assert.match(String(response.headers['www-authenticate']), /^Bearer /);
      assert.doesNotMatch(response.body, /jobspace_/);
    }
  });

  it('counts requests by route pattern and status, never by raw URL, with a latency histogram', async () => {
    const id = await postJob({});
    for (let i = 0; i < 3; i += 1) assert.equal((await test.app.inject({ url: `/api/job/${id}`, headers: auth(token) })).statusCode, 200);
    await test.app.inject({ url: '/api/job/99999999', headers: auth(token) });
    await test.app.inject({ url: '/no/such/path/zq-raw-url' });
    const text = await scrape();
    const route = { method: 'GET', route: '/api/job/:id' };
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { ...route, status: '200' }), 3);
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { ...route, status: '404' }), 1);
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { method: 'POST', route: '/api/job', status: '201' }), 1);
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { route: 'unmatched', status: '404' }), 1);
    assert.doesNotMatch(text, /zq-raw-url|route="\/api\/job\/\d/, 'no raw URL becomes a label');
    assert.equal(sampleOf(text, 'jobspace_http_request_duration_seconds_count', { ...route, status: '200' }), 3);
    assert.equal(sampleOf(text, 'jobspace_http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' }), 3);
    assert.notEqual(sampleOf(text, 'jobspace_http_request_duration_seconds_bucket', { ...route, status: '200', le: '0.005' }), undefined);
    assert.notEqual(sampleOf(text, 'jobspace_http_request_duration_seconds_bucket', { ...route, status: '200', le: '10' }), undefined);
  });

  it('leaves its own scrapes out of the request counts', async () => {
    await scrape();
    const text = await scrape();
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { route: '/metrics' }), undefined);
  });

  it('counts listed jobs by status: live, scheduled, expired; a deleted job leaves them', async () => {
    const before = await scrape();
    const count = (text: string, status: string) => sampleOf(text, 'jobspace_jobs', { status }) ?? 0;
    const live = await postJob({ open_date: '2026-01-01', close_date: '2099-01-01' });
    await postJob({ open_date: '2098-01-01', close_date: '2099-01-01' });
    await postJob({ open_date: '2020-01-01', close_date: '2020-02-01' });
    const deleted = await postJob({ open_date: '2026-01-01', close_date: '2099-01-01' });
    assert.equal((await test.app.inject({ method: 'POST', url: `/api/job/${deleted}/delete`, headers: auth(token) })).statusCode, 200);
    const after = await scrape();
    assert.ok(live > 0);
    assert.equal(count(after, 'live') - count(before, 'live'), 1);
    assert.equal(count(after, 'scheduled') - count(before, 'scheduled'), 1);
    assert.equal(count(after, 'expired') - count(before, 'expired'), 1);
  });

  it('counts cache hits: a repeated list hits the list counts and the rendered jobs', async () => {
    const hits = (text: string, cache: string) => sampleOf(text, 'jobspace_cache_lookups_total', { cache, outcome: 'hit' }) ?? 0;
    const misses = (text: string, cache: string) => sampleOf(text, 'jobspace_cache_lookups_total', { cache, outcome: 'miss' }) ?? 0;
    const list = () => test.app.inject({ url: '/api/job?main_area=Sheffield', headers: auth(token) });
    assert.equal((await list()).statusCode, 200);
    const first = await scrape();
    assert.equal((await list()).statusCode, 200);
    const second = await scrape();
    assert.equal(hits(second, 'list_counts') - hits(first, 'list_counts'), 1);
    assert.equal(misses(second, 'list_counts'), misses(first, 'list_counts'));
    assert.ok(hits(second, 'rendered_jobs') > hits(first, 'rendered_jobs'));
    assert.ok(hits(second, 'callers') > hits(first, 'callers'), 'the token was resolved from the cache');
  });

  it('shows the delivery backlog, and a failed attempt to be retried', async () => {
    const backlog = (text: string, kind: string) => sampleOf(text, 'jobspace_deliveries_backlog', { kind });
    const attempts = (text: string, outcome: string) => sampleOf(text, 'jobspace_delivery_attempts_total', { outcome });
    receiver.status = 500;
    // The events of the jobs posted so far are fanned out to no webhook.
    await test.app.deliveries.runOnce();
    const hook = await test.app.inject({ method: 'POST', url: '/api/webhook', headers: auth(token), payload: webhookBody({ url: receiver.url(), events: ['job.created'] }) });
    assert.equal(hook.statusCode, 201, hook.body);
    const idle = await scrape();
    assert.equal(backlog(idle, 'pending_deliveries'), 0);
    assert.equal(backlog(idle, 'undispatched_events'), 0);
    assert.equal(attempts(idle, 'retried'), 0);
    await postJob({});
    const owed = await scrape();
    assert.equal(backlog(owed, 'undispatched_events'), 1, 'the event waits for the worker to fan it out');
    await test.app.deliveries.runOnce();
    const failed = await scrape();
    assert.equal(backlog(failed, 'undispatched_events'), 0);
    assert.equal(backlog(failed, 'pending_deliveries'), 1, 'the delivery waits for its retry');
    assert.equal(attempts(failed, 'retried'), 1);
    assert.equal(attempts(failed, 'delivered'), 0);
    assert.equal(attempts(failed, 'failed'), 0);
  });

  it(store === 'postgres' ? 'shows the PostgreSQL pool: connections open, idle, and queries waiting' : 'shows no pool on SQLite', async () => {
    const text = await scrape();
    const total = sampleOf(text, 'jobspace_db_pool_connections');
    if (store === 'sqlite') return assert.equal(total, undefined);
    assert.ok(total !== undefined && total >= 1, text);
    assert.ok((sampleOf(text, 'jobspace_db_pool_idle_connections') ?? -1) >= 0);
    assert.equal(sampleOf(text, 'jobspace_db_pool_waiting_queries'), 0);
  });

  it('includes the process\'s default metrics, prefixed', async () => {
    const text = await scrape();
    assert.notEqual(sampleOf(text, 'jobspace_process_cpu_user_seconds_total'), undefined);
    assert.notEqual(sampleOf(text, 'jobspace_nodejs_heap_size_used_bytes'), undefined);
  });
});

describe('GET /metrics on METRICS_PORT', () => {
  let test: TestApp;
  let port: number;
  before(async () => {
    port = await freePort();
    test = await buildTestApp('sqlite', { METRICS_PORT: String(port), HOST: '127.0.0.1' });
    await test.app.ready();
  });
  after(() => test.close());

  it('serves the metrics without authentication on its own listener', async () => {
    await test.app.inject({ url: '/health/live' });
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { method: 'GET', route: '/health/live', status: '200' }), 1);
  });

  it('serves nothing else there, in the envelope', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/job`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).data.status_code, 404);
  });

  it('leaves /metrics on the API\'s port 404 without METRICS_TOKEN', async () => {
    assert.equal((await test.app.inject({ url: '/metrics' })).statusCode, 404);
  });
});

/* Another process holding SQLite's write lock, played by a second connection to the file (as in test/db/sqlite-lock-wait.test.ts). */
describe('GET /metrics: SQLite lock waits', () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp('sqlite', { METRICS_TOKEN, DATABASE_LOCK_TIMEOUT_MS: '300' });
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const lockWaits = async (outcome: string) => {
    const response = await test.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return sampleOf(response.body, 'jobspace_db_lock_waits_total', { outcome });
  };

  it('counts a write that waited for the lock, and one that gave up at DATABASE_LOCK_TIMEOUT_MS', async () => {
    assert.equal(await lockWaits('waited'), 0);
    const holder = new SQLite(sqliteFileOf(test.config.databaseUrl) as string);
    holder.exec('begin immediate');
    try {
      const refused = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson() });
      assert.equal(refused.statusCode, 503, refused.body);
    } finally {
      holder.exec('commit');
      holder.close();
    }
    assert.equal(await lockWaits('waited'), 1);
    assert.equal(await lockWaits('timed_out'), 1);
  });
});
