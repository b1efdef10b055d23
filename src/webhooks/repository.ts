import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor, WebhooksTable } from '../db/types.ts';

/* The SQL of webhooks and of the deliveries they show. */

export type WebhookRow = Selectable<WebhooksTable>;

export interface StoredWebhook extends WebhookRow {
  readonly organisation_handle: string;
  readonly organisation_name: string;
}

function selectWebhooks(db: Executor, organisationIds: readonly number[]) {
  return db
    .selectFrom('webhooks')
    .innerJoin('organisations', 'organisations.id', 'webhooks.organisation_id')
    .selectAll('webhooks')
    .select(['organisations.handle as organisation_handle', 'organisations.name as organisation_name'])
    .where('webhooks.organisation_id', 'in', organisationIds.length > 0 ? organisationIds : [0]);
}

export async function countWebhooks(db: Executor, organisationIds: readonly number[]): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .where('organisation_id', 'in', organisationIds.length > 0 ? organisationIds : [0])
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function listWebhooks(db: Executor, organisationIds: readonly number[], offset: number, limit: number): Promise<StoredWebhook[]> {
  return selectWebhooks(db, organisationIds).orderBy('webhooks.id', 'desc').offset(offset).limit(limit).execute();
}

/** The webhook, when it belongs to one of these organisations. */
export function findWebhook(db: Executor, id: number, organisationIds: readonly number[]): Promise<StoredWebhook | undefined> {
  return selectWebhooks(db, organisationIds).where('webhooks.id', '=', id).executeTakeFirst();
}

export async function insertWebhook(db: Executor, row: Insertable<WebhooksTable>): Promise<number> {
  const inserted = await db.insertInto('webhooks').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function updateWebhook(db: Executor, id: number, changes: Updateable<WebhooksTable>): Promise<void> {
  await db.updateTable('webhooks').set(changes).where('id', '=', id).execute();
}

/* What it still had to send is cancelled; its notices go with it. The organisation it belonged to, or null when there was none to delete. */
export async function deleteWebhook(db: Executor, id: number, organisationIds: readonly number[]): Promise<number | null> {
  const found = await db.selectFrom('webhooks').select('organisation_id').where('id', '=', id).where('organisation_id', 'in', organisationIds.length > 0 ? organisationIds : [0]).executeTakeFirst();
  if (!found) return null;
  await db.updateTable('deliveries').set({ status: 'cancelled', claimed_until: null }).where('webhook_id', '=', id).where('status', '=', 'pending').execute();
  await db.deleteFrom('job_notices').where('webhook_id', '=', id).execute();
  const deleted = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0 ? found.organisation_id : null;
}

export async function countDeliveries(db: Executor, webhookId: number): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .where('webhook_id', '=', webhookId)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Newest first, each with its event's type. */
export function listDeliveries(db: Executor, webhookId: number, offset: number, limit: number) {
  return db
    .selectFrom('deliveries')
    .leftJoin('events', 'events.event_id', 'deliveries.event_id')
    .select([
      'deliveries.id', 'deliveries.event_id', 'events.type as event_type', 'deliveries.status', 'deliveries.attempts',
      'deliveries.last_status', 'deliveries.last_error', 'deliveries.next_attempt_at', 'deliveries.created_at', 'deliveries.delivered_at',
    ])
    .where('deliveries.webhook_id', '=', webhookId)
    .orderBy('deliveries.id', 'desc')
    .offset(offset)
    .limit(limit)
    .execute();
}

export type DeliveryListRow = Awaited<ReturnType<typeof listDeliveries>>[number];
