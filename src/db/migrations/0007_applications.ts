import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * Applications made through a board, the daily counters of each job on each
 * site, and the server's own secrets (the key CV links are signed with,
 * when APPLICATION_LINK_SECRET is not set).
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    // A job purged for good takes its applications with it; their CV files go at the next sweep.
    .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id'))
    .addColumn('api_client_id', 'integer', (c) => c.notNull().references('api_clients.id'))
    // Personal fields: every one is nulled on erasure, the row kept so that counts stay.
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    // The e-mail folded to lower case: what the unique index below compares.
    .addColumn('email_key', 'text')
    .addColumn('phone', 'text')
    .addColumn('cover_letter', 'text')
    .addColumn('notes', 'text')
    .addColumn('cv_storage_key', 'text')
    .addColumn('cv_filename', 'text')
    .addColumn('cv_content_type', 'text')
    .addColumn('cv_size', 'integer')
    .addColumn('source', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('new')
        .check(sql`status in ('new', 'reviewed', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected')`))
    .addColumn('consented_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text')
    .execute();
  // One application per e-mail and job, decided by the store (nulls, as erased rows have, never collide).
  await db.schema.createIndex('applications_job_email_unique').on('applications').columns(['job_id', 'email_key']).unique().execute();
  // A job's applications, newest first.
  await db.schema.createIndex('applications_job_idx').on('applications').columns(['job_id', 'id']).execute();
  // The retention sweep: applications not yet erased, oldest first.
  await db.schema
    .createIndex('applications_retention_idx')
    .on('applications')
    .columns(['created_at', 'id'])
    .where(sql.ref('erased_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('applications_cv_key_idx')
    .on('applications')
    .column('cv_storage_key')
    .where(sql.ref('cv_storage_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('job_counters')
    .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('apply_clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applications', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('job_counters_pkey', ['job_id', 'site_id', 'day'])
    .execute();

  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
