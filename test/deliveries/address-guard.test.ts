import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInternalAddress } from '../../src/deliveries/address-guard.ts';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { stores } from '../support/stores.ts';
import { webhookBody } from '../support/webhooks.ts';
import { testWorker } from '../support/workers.ts';

describe('the SSRF guard', () => {
  it('refuses private, loopback, link-local, unique-local, CGNAT, multicast and unspecified addresses', () => {
    for (const address of [
      '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '100.127.255.254', '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255',
      '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
      '::ffff:10.0.0.1', '[::1]', 'fe80::1%eth0', '64:ff9b::7f00:1',
    ]) assert.equal(isInternalAddress(address), true, address);
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34']) {
      assert.equal(isInternalAddress(address), false, address);
    }
  });
});

for (const store of stores) describe(`the SSRF guard at send time, WEBHOOK_ALLOW_PRIVATE off [${store}]`, () => {
  let test: TestApp;
  let token: string;
  let receiver: Receiver;
  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.stop();
    await test.close();
  });
  const post = (url: string, payload: Record<string, unknown>) => test.app.inject({ method: 'POST', url, payload, headers: auth(token) });

  it('answers 422 for a webhook on 127.0.0.1', async () => {
    const response = await post('/api/webhook', webhookBody({ url: `https://127.0.0.1:${receiver.port}/hook` }));
    assert.equal(response.statusCode, 422, response.body);
    assert.deepEqual(response.json().data.errors, { url: ['The url must not point to a private or internal address.'] });
  });

  it('refuses to connect to a name that resolves to loopback, and says why', async () => {
    const created = await post('/api/webhook', webhookBody({ url: `https://localhost:${receiver.port}/hook`, events: ['job.created'] }));
    assert.equal(created.statusCode, 201, created.body);
    await post('/api/job', jobJson());
    await (await testWorker(test)).runOnce();
    const [delivery] = await test.app.store.db.selectFrom('deliveries').selectAll().where('webhook_id', '=', created.json().data.id).execute();
    assert.equal(delivery!.status, 'pending');
    assert.equal(delivery!.last_status, null);
    assert.match(String(delivery!.last_error), /^refused: localhost resolves to (127\.0\.0\.1|::1), an internal address/);
    assert.equal(receiver.received.length, 0);
  });

  it('refuses a stored plain-http or literal internal target at send time too', async () => {
    for (const [url, error] of [
      [receiver.url(), /^refused: only https targets/],
      [`https://127.0.0.1:${receiver.port}/hook`, /^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/],
    ] as const) {
      const db = test.app.store.db;
      const now = new Date().toISOString();
      await db.insertInto('deliveries').values({
        organisation_id: 1, kind: 'application_post', event_id: `ssrf-${url}`, application_id: 1, target: url,
        payload: '{}', next_attempt_at: now, created_at: now,
      }).execute();
      await (await testWorker(test)).runOnce();
      const delivery = await db.selectFrom('deliveries').selectAll().where('event_id', '=', `ssrf-${url}`).executeTakeFirstOrThrow();
      assert.match(String(delivery.last_error), error);
    }
    assert.equal(receiver.received.length, 0);
  });
});
