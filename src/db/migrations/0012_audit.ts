import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * The audit trail: one row per write, in the write's transaction
 * (src/audit/trail.ts). Append-only, enforced by the store's own triggers
 * (src/db/dialects/*-migrations.ts), so that neither our code nor an
 * operator's SQL can rewrite history; no retention prunes it. Ids only, no
 * foreign keys: a row outlives the job purged or the application erased it
 * names, and holds none of a candidate's personal data.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId)
    .addColumn('at', 'text', (c) => c.notNull())
    // 'api' (a request) or 'operator' (an operator command, or the demo tenant the server makes at start).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('api_client_id', 'integer')
    .addColumn('user_id', 'integer')
    .addColumn('organisation_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_organisation_idx').on('audit_log').columns(['organisation_id', 'id']).execute();
}

/** What the store's triggers answer an update or delete of the trail with. */
export const APPEND_ONLY = 'audit_log is append-only';
