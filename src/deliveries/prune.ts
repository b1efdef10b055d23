import type { Db } from '../db/types.ts';

/** How long settled deliveries and dispatched events are kept, for `GET /api/webhook/{id}/deliveries` and for inquiry. */
export const SETTLED_KEPT_DAYS = 30;

/*
 * Removes what no worker will touch again: deliveries delivered, failed or
 * cancelled, and events already fanned out, once older than `before`. A
 * pending delivery and an undispatched event are kept however old.
 * @returns the rows removed
 */
export async function pruneSettled(db: Db, before: string): Promise<number> {
  const deliveries = await db
    .deleteFrom('deliveries')
    .where('status', 'in', ['delivered', 'failed', 'cancelled'])
    .where('created_at', '<', before)
    .executeTakeFirst();
  const events = await db.deleteFrom('events').where('dispatched_at', 'is not', null).where('created_at', '<', before).executeTakeFirst();
  return Number(deliveries.numDeletedRows) + Number(events.numDeletedRows);
}
