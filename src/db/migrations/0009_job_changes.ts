import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * The change feed of jobs: each insert, update or delete of a job row adds
 * its id here (and so does a change to what a rendered job shows besides
 * its row: its logo, its organisation's or a site's name or handle), in commit order on SQLite (one writer at a time) and in
 * sequence order on PostgreSQL, whose concurrent writers may commit out of
 * order (src/search/facts.ts waits for such gaps to fill). Every process
 * keeps the facts its searches filter and count by in memory and reads this
 * feed to bring them up to date, so that a write in one process is seen by
 * the next search in every other. Each store's triggers fill it; the worker
 * keeps the newest rows only (src/deliveries/prune.ts).
 *
 * Lists and searches no longer filter, count or order in SQL, so the
 * indexes that served them go: each cost every write of a job its upkeep.
 * (PostgreSQL keeps the one of positions, for keyword searches near a
 * point; SQLite finds those in its full-text index and drops it.)
 */
const SUPERSEDED_INDEXES = ['jobs_category_idx', 'jobs_type_idx', 'jobs_country_idx', 'jobs_open_date_idx', 'jobs_live_facets_idx'];

export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('job_changes')
    .addColumn('seq', dialect.autoIncrementType, dialect.autoIncrementId)
    .addColumn('job_id', 'integer', (c) => c.notNull())
    .execute();
  for (const index of SUPERSEDED_INDEXES) await sql`drop index ${sql.id(index)}`.execute(db);
}
