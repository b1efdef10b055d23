import type { Db } from '../db/types.ts';

/*
 * What the deliveries owe, for the metrics: both counts read a partial index
 * (deliveries_due_idx, events_undispatched_idx), so a scrape costs the
 * backlog's size, not the tables'.
 */
export async function countBacklog(db: Db): Promise<{ pendingDeliveries: number; undispatchedEvents: number }> {
  const [deliveries, events] = await Promise.all([
    db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('count')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
    db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('count')).where('dispatched_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  return { pendingDeliveries: Number(deliveries.count), undispatchedEvents: Number(events.count) };
}
