import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.ts';
import { stores } from '../support/stores.ts';
import { webhookBody } from '../support/webhooks.ts';
import { HOUR_MS, TestClock, testWorker } from '../support/workers.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The verification recipe of docs/contract.md ("Webhooks"), as a receiver would write it. */
function verifySignature(secret: string, header: string, rawBody: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

for (const store of stores) describe(`webhook deliveries [${store}]`, () => {
  let test: TestApp;
  let token: string;
  let receiver: Receiver;
  before(async () => {
    test = await buildTestApp(store, { WEBHOOK_ALLOW_PRIVATE: 'true' });
    token = await issueToken(test.app);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.stop();
    await test.close();
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.status = 200;
    receiver.delayMs = 0;
  });

  const post = (url: string, payload: Record<string, unknown>) => test.app.inject({ method: 'POST', url, payload, headers: auth(token) });
  const createWebhook = async (overrides: Record<string, unknown> = {}) => {
    const response = await post('/api/webhook', webhookBody({ url: receiver.url(), events: ['job.created'], ...overrides }));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data as { id: number; secret: string };
  };
  const createJob = async (overrides: Record<string, unknown> = {}) => {
    const response = await post('/api/job', jobJson(overrides));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data as { id: number; reference: string };
  };
  const deliveriesOf = (webhookId: number) =>
    test.app.store.db.selectFrom('deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id').execute();
  const removeWebhook = (id: number) => post(`/api/webhook/${id}/delete`, {});

  it('POSTs job.created to a listening receiver, signed as documented', async () => {
    const webhook = await createWebhook();
    const worker = await testWorker(test);
    const job = await createJob({ reference: 'HOOK-1' });
    await worker.runOnce();
    assert.equal(receiver.received.length, 1);
    const [request] = receiver.received;
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.equal(request!.headers['user-agent'], 'JobSpace-Webhooks/1');
    assert.ok(verifySignature(webhook.secret, String(request!.headers['jobspace-signature']), request!.body), 'the signature verifies');
    assert.equal(verifySignature('0'.repeat(64), String(request!.headers['jobspace-signature']), request!.body), false);
    const body = JSON.parse(request!.body);
    assert.deepEqual(Object.keys(body), ['id', 'type', 'created_at', 'data']);
    assert.equal(body.type, 'job.created');
    assert.equal(body.id, request!.headers['jobspace-event-id']);
    assert.deepEqual(body.data, { job_id: job.id, reference: 'HOOK-1', status: 'expired' });
    const [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.status, 'delivered');
    assert.equal(delivery!.attempts, 1);
    assert.equal(delivery!.last_status, 200);
    await removeWebhook(webhook.id);
  });

  it('is sent by the loop the app starts, without being asked', async () => {
    const looping = await buildTestApp(store, { WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_POLL_MS: '20' });
    try {
      const looped = await issueToken(looping.app);
      await looping.app.ready();
      const hook = await looping.app.inject({
        method: 'POST', url: '/api/webhook', headers: auth(looped),
        payload: webhookBody({ url: receiver.url('/looped'), events: ['job.created', 'job.updated', 'job.deleted'] }),
      });
      assert.equal(hook.statusCode, 201, hook.body);
      const job = await looping.app.inject({ method: 'POST', url: '/api/job', headers: auth(looped), payload: jobJson() });
      const { id, reference } = job.json().data;
      await looping.app.inject({ method: 'POST', url: `/api/job/${id}/update`, headers: auth(looped), payload: { name: 'Renamed' } });
      await looping.app.inject({ method: 'POST', url: `/api/job/${id}/delete`, headers: auth(looped) });
      await waitFor(() => receiver.received.filter((request) => request.path === '/looped').length === 3);
      const types = receiver.received.map((request) => JSON.parse(request.body).type).sort();
      assert.deepEqual(types, ['job.created', 'job.deleted', 'job.updated']);
      const deleted = receiver.received.map((request) => JSON.parse(request.body)).find((body) => body.type === 'job.deleted');
      assert.deepEqual(deleted.data, { job_id: id, reference, status: 'deleted' });
    } finally {
      await looping.close();
    }
  });

  it('retries with back-off while the receiver is down, with the same event id and body, until it answers 2xx', async () => {
    const webhook = await createWebhook({ url: receiver.url('/retried') });
    const clock = new TestClock();
    // The longest wait full jitter allows: 10 s, then 20 s, then 40 s.
    const worker = await testWorker(test, { now: clock.now, random: () => 0.999 });
    await receiver.stop();
    await createJob();
    await worker.runOnce();
    let [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.status, 'pending');
    assert.equal(delivery!.attempts, 1);
    assert.match(String(delivery!.last_error), /ECONNREFUSED/);
    assert.ok(Date.parse(delivery!.next_attempt_at) - clock.current <= 10_000);

    clock.advance(5_000);
    assert.equal(await worker.runOnce(), 0, 'not due yet');
    await receiver.start();
    receiver.status = 503;
    clock.advance(6_000);
    await worker.runOnce();
    [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.attempts, 2);
    assert.equal(delivery!.last_status, 503);
    assert.equal(delivery!.last_error, 'the receiver answered 503');

    receiver.status = 204;
    clock.advance(20_000);
    await worker.runOnce();
    [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.status, 'delivered');
    assert.equal(delivery!.attempts, 3);
    const retried = receiver.received.filter((request) => request.path === '/retried');
    assert.equal(retried.length, 2);
    assert.equal(retried[0]!.headers['jobspace-event-id'], retried[1]!.headers['jobspace-event-id']);
    assert.equal(retried[0]!.body, retried[1]!.body);
    const shown = await test.app.inject({ url: `/api/webhook/${webhook.id}/deliveries`, headers: auth(token) });
    assert.equal(shown.json().data[0].status, 'delivered');
    assert.equal(shown.json().data[0].attempts, 3);
    await removeWebhook(webhook.id);
  });

  it('fails a delivery after a day of retries and disables its webhook until an update enables it', async () => {
    const webhook = await createWebhook({ url: receiver.url('/failing') });
    const clock = new TestClock();
    const worker = await testWorker(test, { now: clock.now });
    receiver.status = 500;
    await createJob();
    await worker.runOnce();
    clock.advance(25 * HOUR_MS);
    await worker.runOnce();
    const [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.status, 'failed');
    assert.equal(delivery!.attempts, 2);
    const shown = (await test.app.inject({ url: `/api/webhook/${webhook.id}`, headers: auth(token) })).json().data;
    assert.equal(shown.enabled, false);
    assert.match(shown.disabled_reason, /failed for 24 hours/);
    assert.equal(typeof shown.disabled_at.utc, 'string');

    await createJob();
    await worker.runOnce();
    assert.equal((await deliveriesOf(webhook.id)).length, 1, 'a disabled webhook is sent nothing');
    const enabled = await post(`/api/webhook/${webhook.id}/update`, { enabled: true });
    assert.equal(enabled.json().data.enabled, true);
    receiver.status = 200;
    await createJob();
    await worker.runOnce();
    const after = await deliveriesOf(webhook.id);
    assert.equal(after.length, 2);
    assert.equal(after[1]!.status, 'delivered');
    await removeWebhook(webhook.id);
  });

  it('counts a redirect and an answer past the deadline as failures, following neither', async () => {
    const webhook = await createWebhook({ url: receiver.url('/slow') });
    const worker = await testWorker(test, { sendTimeoutMs: 100 });
    receiver.status = 302;
    await createJob();
    await worker.runOnce();
    let [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.last_status, 302);
    assert.equal(delivery!.last_error, 'the receiver answered 302');
    receiver.status = 200;
    receiver.delayMs = 400;
    await test.app.store.db.updateTable('deliveries').set({ next_attempt_at: new Date().toISOString() }).where('id', '=', delivery!.id).execute();
    await worker.runOnce();
    [delivery] = await deliveriesOf(webhook.id);
    assert.equal(delivery!.status, 'pending');
    assert.equal(delivery!.last_error, 'no answer within 0.1 s');
    receiver.delayMs = 0;
    await removeWebhook(webhook.id);
  });

  it('cancels what a deleted webhook had still to send', async () => {
    const webhook = await createWebhook({ url: receiver.url('/deleted') });
    await createJob();
    await (await testWorker(test)).dispatch();
    assert.equal((await deliveriesOf(webhook.id))[0]!.status, 'pending');
    await removeWebhook(webhook.id);
    assert.equal((await deliveriesOf(webhook.id))[0]!.status, 'cancelled');
    await (await testWorker(test)).runOnce();
    assert.equal(receiver.received.filter((request) => request.path === '/deleted').length, 0);
  });

  it('sends each delivery once with two workers in two processes on the same store', async () => {
    const webhook = await createWebhook({ url: receiver.url('/raced') });
    try {
      for (let index = 0; index < 24; index += 1) await createJob({ reference: `RACE-${index}` });
      const here = await testWorker(test, { batch: 3 });
      const drainHere = async () => {
        let sent = 0;
        for (let idle = 0; idle < 3;) {
          const claimed = await here.runOnce();
          sent += claimed;
          idle = claimed === 0 ? idle + 1 : 0;
          if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return sent;
      };
      const env = {
        ...process.env,
        DATABASE_URL: test.config.databaseUrl,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        ...(test.config.deliveries.signingKey ? { WEBHOOK_SIGNING_KEY: test.config.deliveries.signingKey.toString('hex') } : {}),
      };
      receiver.delayMs = 40;
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = once(child, 'exit');
      await waitFor(() => output.startsWith('ready\n'), 20_000);
      const sentHere = await drainHere();
      const [code] = await exited;
      assert.equal(code, 0);
      const sentThere = Number(output.split('\n')[1]);
      assert.equal(sentHere + sentThere, 24, `here ${sentHere}, there ${sentThere}`);
      assert.ok(sentHere > 0 && sentThere > 0, `both workers sent: here ${sentHere}, there ${sentThere}`);
      const raced = receiver.received.filter((request) => request.path === '/raced');
      const ids = raced.map((request) => String(request.headers['jobspace-event-id']));
      assert.equal(ids.length, 24, 'every event sent');
      assert.equal(new Set(ids).size, 24, 'none sent twice');
      const deliveries = await deliveriesOf(webhook.id);
      assert.equal(deliveries.length, 24);
      assert.ok(deliveries.every((delivery) => delivery.status === 'delivered' && delivery.attempts === 1));
    } finally {
      await removeWebhook(webhook.id);
    }
  });
});
