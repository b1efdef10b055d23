import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialect.ts';

/*
 * A keyword search reads, for each of its newest matches, the columns it
 * filters, orders and counts by. On SQLite a job's row is wide (the
 * description sits in it), so each look-up by id would read a page or more;
 * this index keyed by id carries just those columns, a few dozen bytes per
 * job, and the search reads it alone. PostgreSQL keeps the wide text out of
 * line (TOAST), so its rows stay narrow and it needs no copy.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  if (dialect.name !== 'sqlite') return;
  await sql`create index jobs_search_facts_idx on jobs (
    id, organisation_id, deleted_at, open_date, close_date, country_id, job_category_id, job_type_id,
    salary_currency_id, annual_salary_from, annual_salary_to, geo_lat, geo_lon)`.execute(db);
}
