import { type Kysely, sql } from 'kysely';

/*
 * Keyword searches read their newest matches and stop (src/search/repository.ts).
 * Lists without keywords get a partial index of live jobs here; each store
 * then adds what its searches need (src/db/dialects/*-migrations.ts): SQLite
 * a narrow copy of each job's row and full-text tables that know places,
 * PostgreSQL an index for suggestions and notifications of changes to jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Lists without keywords count and facet an organisation's jobs, often of one category: with the
  // category second, a category filter is one range of this index, read alone; it replaces the index
  // of 0002, which led with deleted_at and so read every job of the organisation.
  await sql`create index jobs_live_facets_idx on jobs (organisation_id, job_category_id, country_id, job_type_id,
    salary_currency_id, annual_salary_from, annual_salary_to, open_date, close_date) where deleted_at is null`.execute(db);
  await sql`drop index jobs_facets_idx`.execute(db);
}
