import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * A job's media: its logo, either a file we store (named by its content, so
 * jobs with the same logo share one file) or a URL the vendor gave, which we
 * store as given and never fetch. One logo per job.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('job_media')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('JOB_LOGO')`))
    .addColumn('storage_key', 'text')
    .addColumn('url', 'text')
    .addColumn('content_type', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('job_media_file_or_url', sql`(storage_key is null) <> (url is null)`)
    .execute();
  await db.schema.createIndex('job_media_job_type_unique').on('job_media').columns(['job_id', 'type']).unique().execute();
  // Whether any job still refers to a stored file, asked before the file is removed.
  await db.schema
    .createIndex('job_media_storage_key_idx')
    .on('job_media')
    .column('storage_key')
    .where(sql.ref('storage_key'), 'is not', null)
    .execute();
}
