import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp, useTestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { stores } from '../support/stores.ts';
import { webhookBody } from '../support/webhooks.ts';
import { recordNotices } from '../../src/deliveries/notices.ts';
import { dispatchEvents } from '../../src/deliveries/dispatch.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

for (const store of stores) describe(`job.expiring and job.expired [${store}]`, () => {
  const suite = useTestApp(store);

  const post = (url: string, payload: Record<string, unknown>) => suite.test.app.inject({ method: 'POST', url, payload, headers: auth(suite.token) });
  const eventsOf = (type: string) =>
    suite.test.app.store.db.selectFrom('events').selectAll().where('type', '=', type).orderBy('id').execute();

  it('records job.expiring once per job and close date, N days before it, for the webhook whose N it is', async () => {
    const hook = await post('/api/webhook', webhookBody({ events: ['job.expiring'], expiring_days: 5 }));
    const narrow = await post('/api/webhook', webhookBody({ events: ['job.expiring'], expiring_days: 1 }));
    const soon = (await post('/api/job', jobJson({ open_date: day(-1), close_date: day(3) }))).json().data;
    await post('/api/job', jobJson({ open_date: day(-1), close_date: day(30) }));
    await recordNotices(suite.test.app.store.db, new Date());
    await recordNotices(suite.test.app.store.db, new Date());
    let expiring = await eventsOf('job.expiring');
    assert.equal(expiring.length, 1, 'once, however many rounds');
    assert.equal(expiring[0]!.webhook_id, hook.json().data.id);
    assert.deepEqual(JSON.parse(expiring[0]!.data), { job_id: soon.id, reference: soon.reference, status: 'live', close_date: day(3) });

    await dispatchEvents(suite.test.app.store.db, suite.test.app.store.dialect, new Date().toISOString());
    const deliveries = await suite.test.app.store.db.selectFrom('deliveries').select('webhook_id').where('event_id', '=', expiring[0]!.event_id).execute();
    assert.deepEqual(deliveries.map((delivery) => delivery.webhook_id), [hook.json().data.id], 'only the webhook whose days it is');

    // A moved close date is due a notice of its own.
    assert.equal((await post(`/api/job/${soon.id}/update`, { close_date: day(4) })).statusCode, 200);
    await recordNotices(suite.test.app.store.db, new Date());
    expiring = await eventsOf('job.expiring');
    assert.equal(expiring.length, 2);
    assert.equal(JSON.parse(expiring[1]!.data).close_date, day(4));
    await post(`/api/webhook/${hook.json().data.id}/delete`, {});
    await post(`/api/webhook/${narrow.json().data.id}/delete`, {});
  });

  it('records job.expired once, the day after the close date, for jobs closed since the webhook was made', async () => {
    const hook = await post('/api/webhook', webhookBody({ events: ['job.expired'] }));
    const closed = (await post('/api/job', jobJson({ open_date: day(-10), close_date: day(-1) }))).json().data;
    await post('/api/job', jobJson({ open_date: day(-40), close_date: day(-30) }));
    await post('/api/job', jobJson({ open_date: day(-1), close_date: day(0) }));
    await recordNotices(suite.test.app.store.db, new Date());
    await recordNotices(suite.test.app.store.db, new Date());
    const expired = await eventsOf('job.expired');
    assert.equal(expired.length, 1);
    assert.deepEqual(JSON.parse(expired[0]!.data), { job_id: closed.id, reference: closed.reference, status: 'expired', close_date: day(-1) });
    await post(`/api/webhook/${hook.json().data.id}/delete`, {});
  });
});
