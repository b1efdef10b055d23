import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { enqueueDelivery, recordEvent } from '../../src/deliveries/outbox.ts';
import { pruneSettled, SETTLED_KEPT_DAYS } from '../../src/deliveries/prune.ts';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

for (const store of stores) describe(`pruning settled deliveries and events [${store}]`, () => {
  const suite = useTestApp(store);

  it(`removes deliveries settled and events dispatched more than ${SETTLED_KEPT_DAYS} days ago, and keeps the rest however old`, async () => {
    const { db } = suite.test.app.store;
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 5; i += 1) {
        await enqueueDelivery(tx, { organisationId: 1, kind: 'application_post', applicationId: 100 + i, target: 'https://ats.example/in', payload: {} });
        await recordEvent(tx, { organisationId: 1, type: 'job.created', data: { job_id: i } });
      }
    });
    const ids = (await db.selectFrom('deliveries').select('id').orderBy('id').execute()).map((row) => row.id);
    const set = (index: number, status: 'pending' | 'delivered' | 'failed' | 'cancelled', age: number) =>
      db.updateTable('deliveries').set({ status, created_at: daysAgo(age) }).where('id', '=', ids[index] as number).execute();
    await set(0, 'delivered', 31);
    await set(1, 'failed', 40);
    await set(2, 'cancelled', 31);
    await set(3, 'pending', 90);
    await set(4, 'delivered', 29);
    const events = (await db.selectFrom('events').select('id').orderBy('id').execute()).map((row) => row.id);
    await db.updateTable('events').set({ created_at: daysAgo(31), dispatched_at: daysAgo(31) }).where('id', '=', events[0] as number).execute();
    await db.updateTable('events').set({ created_at: daysAgo(31), dispatched_at: null }).where('id', '=', events[1] as number).execute();

    const removed = await pruneSettled(db, daysAgo(SETTLED_KEPT_DAYS));
    assert.equal(removed, 4);
    const left = await db.selectFrom('deliveries').select(['id', 'status']).orderBy('id').execute();
    assert.deepEqual(left, [{ id: ids[3], status: 'pending' }, { id: ids[4], status: 'delivered' }]);
    const eventsLeft = (await db.selectFrom('events').select('id').orderBy('id').execute()).map((row) => row.id);
    assert.deepEqual(eventsLeft, events.slice(1), 'an undispatched event stays however old');
  });
});
