import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * Webhooks (an organisation's subscriptions to its events), the notices the
 * scheduler records once per job and close date (job.expiring, job.expired),
 * and events meant for one webhook only (a notice is due by that webhook's
 * own number of days).
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON array of event types.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('expiring_days', 'integer', (c) => c.notNull().defaultTo(3))
    // Random; the signing key is HMAC(WEBHOOK_SIGNING_KEY, salt), so the store alone never yields it.
    .addColumn('secret_salt', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'text')
    // The first failure since the last success: a day of failures disables the webhook.
    .addColumn('failing_since', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_organisation_idx').on('webhooks').columns(['organisation_id', 'id']).execute();

  await db.schema.alterTable('events').addColumn('webhook_id', 'integer').execute();

  // A webhook hears of an event once, whichever dispatcher fans it out.
  await db.schema
    .createIndex('deliveries_webhook_event_key')
    .on('deliveries')
    .columns(['webhook_id', 'event_id'])
    .unique()
    .where(sql.ref('webhook_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('job_notices')
    .addColumn('job_id', 'integer', (c) => c.notNull()) // no foreign key: `jobspace job purge` removes jobs for good
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('expiring', 'expired')`))
    .addColumn('close_date', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'integer', (c) => c.notNull().references('webhooks.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_notices_pkey', ['job_id', 'kind', 'close_date', 'webhook_id'])
    .execute();
}
