import type { Db } from '../db/types.ts';
import type { StoreDialect } from '../db/dialects/index.ts';

/*
 * Fans events out: each undispatched event becomes one webhook delivery per
 * enabled webhook of its organisation subscribed to its type (or, for an
 * event meant for one webhook, that one), in one transaction per batch that
 * also marks the events dispatched. Concurrent dispatchers take different
 * events (the dialect's takeUnlocked), and the unique key on
 * (webhook_id, event_id) makes a second fan-out of one event write nothing.
 */

/** The body a webhook receives, fixed at fan-out so that every retry sends the same bytes. */
export function webhookBody(event: { event_id: string; type: string; created_at: string; data: string }): string {
  return JSON.stringify({ id: event.event_id, type: event.type, created_at: event.created_at, data: JSON.parse(event.data) });
}

export async function dispatchEvents(db: Db, dialect: StoreDialect, nowIso: string, batch = 100): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const events = await tx
      .selectFrom('events')
      .selectAll()
      .where('dispatched_at', 'is', null)
      .orderBy('id')
      .limit(batch)
      .modifyEnd(dialect.takeUnlocked)
      .execute();
    if (events.length === 0) return 0;
    const organisationIds = [...new Set(events.map((event) => event.organisation_id))];
    const webhooks = await tx
      .selectFrom('webhooks')
      .select(['id', 'organisation_id', 'url', 'events'])
      .where('organisation_id', 'in', organisationIds)
      .where('enabled', '=', 1)
      .execute();
    const subscribed = webhooks.map((webhook) => ({ ...webhook, types: new Set(JSON.parse(webhook.events) as string[]) }));
    const deliveries = events.flatMap((event) =>
      subscribed
        .filter((webhook) => webhook.organisation_id === event.organisation_id && webhook.types.has(event.type))
        .filter((webhook) => event.webhook_id === null || event.webhook_id === webhook.id)
        .map((webhook) => ({
          organisation_id: event.organisation_id,
          kind: 'webhook' as const,
          event_id: event.event_id,
          webhook_id: webhook.id,
          application_id: null,
          target: webhook.url,
          payload: webhookBody(event),
          next_attempt_at: nowIso,
          created_at: nowIso,
        })),
    );
    for (let start = 0; start < deliveries.length; start += 100) {
      await tx.insertInto('deliveries').values(deliveries.slice(start, start + 100)).onConflict((conflict) => conflict.doNothing()).execute();
    }
    await tx.updateTable('events').set({ dispatched_at: nowIso }).where('id', 'in', events.map((event) => event.id)).execute();
    return events.length;
  });
}
