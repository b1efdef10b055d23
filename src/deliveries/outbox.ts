import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { nowIso } from '../clock.ts';
import type { DeliveryKind, Tx } from '../db/types.ts';

/*
 * Writing to the transactional outbox (migration 0006). Both functions take
 * the transaction of the change they announce, so the event or delivery
 * commits, or rolls back, with it. Sending is for the delivery worker.
 */

/** Every event a webhook may subscribe to. */
export const EVENT_TYPES = [
  'job.created',
  'job.updated',
  'job.deleted',
  'job.expiring',
  'job.expired',
  'application.created',
  'application.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  readonly organisationId: number;
  readonly type: EventType;
  /** Ids and states only (a job's id, an application's id and status): never a candidate's personal data. */
  readonly data: Record<string, unknown>;
  /** For this webhook only (a notice due by its own days); absent: every webhook subscribed to the type. */
  readonly webhookId?: number;
}

/*
 * An event id is a UUID of version 7: the time in milliseconds, then 74
 * random bits, so still unguessable. Ids made one after another sort
 * together, and the unique index of event ids takes each new one at its end:
 * random ids put every event of a group commit in a page of its own, about
 * an eighth of the pages a commit of creates wrote.
 */
export function newEventId(now = Date.now()): string {
  // A version 4 UUID's random bits after its version digit (randomUUID draws from a pool, where
  // randomBytes asked the system each time), behind the time and the version digit 7.
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** Records an event for the organisation's webhooks; returns its event id. */
export async function recordEvent(tx: Tx, event: NewEvent): Promise<string> {
  const eventId = newEventId();
  // SQL rather than Kysely's builder, which took longer to make it than SQLite to run it, on every job write.
  await sql`insert into events (event_id, organisation_id, type, data, created_at, dispatched_at, webhook_id)
    values (${eventId}, ${event.organisationId}, ${event.type}, ${JSON.stringify(event.data)}, ${nowIso()}, null, ${event.webhookId ?? null})`.execute(tx);
  return eventId;
}

/** What an e-mailed application carries, as the apply writes it and the sender reads it. */
export interface ApplicationEmailPayload {
  readonly subject: string;
  readonly text: string;
  /** The candidate's address, for the employer's reply. */
  readonly replyTo: string;
  /** The CV, opened by the sender from the applications' storage. */
  readonly attachment: { readonly storageKey: string; readonly filename: string; readonly contentType: string } | null;
}

interface DeliveryOf<Kind extends Exclude<DeliveryKind, 'webhook'>, Payload> {
  readonly organisationId: number;
  readonly kind: Kind;
  /** The application it carries: its erasure cancels the delivery and removes the payload. */
  readonly applicationId: number;
  /** The URL to POST to, or the address to e-mail. */
  readonly target: string;
  readonly payload: Payload;
}

export type NewDelivery =
  | DeliveryOf<'application_post', Record<string, unknown>>
  | DeliveryOf<'application_email', ApplicationEmailPayload>;

/** Queues an application's POST or e-mail, due at once. */
export async function enqueueDelivery(tx: Tx, delivery: NewDelivery): Promise<void> {
  const now = nowIso();
  await tx
    .insertInto('deliveries')
    .values({
      organisation_id: delivery.organisationId,
      kind: delivery.kind,
      event_id: newEventId(),
      webhook_id: null,
      application_id: delivery.applicationId,
      target: delivery.target,
      payload: JSON.stringify(delivery.payload),
      next_attempt_at: now,
      claimed_until: null,
      last_status: null,
      last_error: null,
      created_at: now,
      delivered_at: null,
    })
    .execute();
}
