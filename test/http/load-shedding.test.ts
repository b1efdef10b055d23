import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestApp, DEMO, V1, type TestApp } from '../support/app.ts';

/*
 * Over capacity the server refuses work at once rather than queue it. The
 * event loop is kept busy here by a timer that spins for longer than the
 * bound each time it fires, so every measurement is past the bound; requests
 * are sent until one is refused, which takes a sample or two.
 */

const SAMPLE_MS = 20;
const BLOCK_MS = 60;
const METRICS_TOKEN = 'metrics-token-of-at-least-thirty-two-chars';
const SHEDDING = { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '10', LOAD_SHEDDING_SAMPLE_MS: String(SAMPLE_MS), METRICS_TOKEN };

function keepEventLoopBusy(): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + BLOCK_MS;
    while (performance.now() < until) {
      // Spinning: the event loop can do nothing else meanwhile.
    }
  }, 1);
  return () => clearInterval(timer);
}

/** Sends `request` (with `alongside`, in the same turn) until it is refused; both answers. */
async function untilRefused(test: TestApp, request: InjectOptions, alongside: InjectOptions = { url: '/health/live' }) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const [answer, other] = await Promise.all([test.app.inject(request), test.app.inject(alongside)]);
    if (answer.statusCode === 503) return { answer, other };
    await sleep(SAMPLE_MS);
  }
  throw new Error(`${request.method ?? 'GET'} ${request.url} was never refused`);
}

function assertRefusedInEnvelope(answer: LightMyRequestResponse) {
  assert.equal(answer.statusCode, 503);
  assert.equal(answer.headers['retry-after'], '1');
  assert.match(String(answer.headers['content-type']), /^application\/json; charset=utf-8/);
  assert.ok(answer.headers['x-request-id']);
  assert.deepEqual(answer.json(), {
    data: { message: '503 Service Unavailable: the server is over capacity; retry after the Retry-After seconds.', status_code: 503 },
  });
}

describe('load shedding (LOAD_SHEDDING_*)', () => {
  let test: TestApp;
  let stopBlocking: () => void;
  before(async () => {
    test = await buildTestApp('sqlite', SHEDDING);
    await test.app.ready();
    stopBlocking = keepEventLoopBusy();
  });
  after(async () => {
    stopBlocking();
    await test.close();
  });

  it('answers an API request 503 in the error envelope with Retry-After while the event loop is past its bound', async () => {
    assert.equal(test.app.hasDecorator('isUnderPressure'), true);
    const { answer } = await untilRefused(test, { url: '/api/job', headers: { accept: V1 } });
    assertRefusedInEnvelope(answer);
  });

  it('refuses the token endpoint in the same envelope, before checking any credentials', async () => {
    const payload = { grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password };
    const { answer } = await untilRefused(test, { method: 'POST', url: '/oauth/token', payload });
    assertRefusedInEnvelope(answer);
  });

  it('keeps answering /health/live and /health/ready while it refuses API requests', async () => {
    const live = await untilRefused(test, { url: '/api/job', headers: { accept: V1 } }, { url: '/health/live' });
    assert.equal(live.other.statusCode, 200);
    const ready = await untilRefused(test, { url: '/api/job', headers: { accept: V1 } }, { url: '/health/ready' });
    assert.equal(ready.other.statusCode, 200);
    assert.deepEqual(ready.other.json(), { status: 'ok' });
  });

  it('keeps answering /metrics to its scraper while it refuses API requests: the numbers matter most then', async () => {
    const scrape = { url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } };
    const { other } = await untilRefused(test, { url: '/api/job', headers: { accept: V1 } }, scrape);
    assert.equal(other.statusCode, 200);
    assert.match(other.body, /jobspace_http_requests_total\{[^}]*status="503"/);
  });
});

describe('load shedding turned off (both bounds 0)', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite', { LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0', LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0' });
  });
  after(() => test.close());

  it('does not measure the event loop at all', () => {
    assert.equal(test.app.hasDecorator('isUnderPressure'), false);
  });
});
