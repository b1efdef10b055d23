import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * The transactional outbox. A change that others must hear of (a job
 * posted, an application made) writes an event row in the same transaction
 * as the change itself, so an event exists exactly when its change
 * committed. Deliveries are what is sent and retried: a webhook call made
 * for an event, an application posted to a job's apply URL or e-mailed to
 * its address. Workers claim due deliveries from here, on every store.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    // What receivers deduplicate by (the JobSpace-Event-Id header): unguessable, stable across retries.
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    // JSON; ids and states only, never a candidate's personal data, so an event needs no erasure.
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Set once the event's webhook deliveries are written.
    .addColumn('dispatched_at', 'text')
    .execute();
  await db.schema
    .createIndex('events_undispatched_idx')
    .on('events')
    .column('id')
    .where(sql.ref('dispatched_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('webhook', 'application_post', 'application_email')`))
    .addColumn('event_id', 'text')
    .addColumn('webhook_id', 'integer')
    .addColumn('application_id', 'integer')
    // A URL for a POST, an e-mail address for an e-mail.
    .addColumn('target', 'text', (c) => c.notNull())
    // JSON: what the sender needs to build the request or message.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'delivered', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    // A worker's claim: no other worker takes the delivery before this instant.
    .addColumn('claimed_until', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('deliveries_due_idx')
    .on('deliveries')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('deliveries_webhook_idx').on('deliveries').columns(['webhook_id', 'id']).execute();
  await db.schema.createIndex('deliveries_application_idx').on('deliveries').column('application_id').execute();
}
