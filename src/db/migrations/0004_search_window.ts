import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * Keyword searches read their newest matches and stop (src/search/repository.ts).
 *
 * On SQLite a job's row is wide (the description sits in it), so each
 * look-up by id would read a page or more: `jobs_search_facts_idx`, keyed by
 * id, carries just the columns a search or a suggestion filters, orders and
 * counts by, under a hundred bytes per job. PostgreSQL keeps the wide text out of line
 * (TOAST), so its rows stay narrow and it needs no copy.
 *
 * The full-text tables gain `cells`, each job's grid cells as words
 * (src/search/geo-box.ts), so that FTS5 intersects "near here" with the
 * keywords itself; FTS5 cannot add a column, so the tables are made again
 * and filled from the jobs (about a minute per million jobs).
 */
/** The cell words as src/search/geo-box.ts makes them, written out: a migration stays as it was released. */
const CELLS = sql`
  'g0x' || cast(floor((jobs.geo_lat + 90) / 1) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 1) as integer) || ' ' ||
  'g1x' || cast(floor((jobs.geo_lat + 90) / 0.25) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 0.25) as integer) || ' ' ||
  'g2x' || cast(floor((jobs.geo_lat + 90) / 0.0625) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 0.0625) as integer)`;

export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  // Lists without keywords count and facet an organisation's jobs, often of one category: with the
  // category second, a category filter is one range of this index, read alone; it replaces the index
  // of 0002, which led with deleted_at and so read every job of the organisation.
  await sql`create index jobs_live_facets_idx on jobs (organisation_id, job_category_id, country_id, job_type_id,
    salary_currency_id, annual_salary_from, annual_salary_to, open_date, close_date) where deleted_at is null`.execute(db);
  await sql`drop index jobs_facets_idx`.execute(db);

  if (dialect.name !== 'sqlite') {
    // Suggestions read the newest jobs whose title starts so: a title range, read from the index alone.
    await sql`create index jobs_title_suggest_idx on jobs (title_key, id)
      include (organisation_id, deleted_at, open_date, close_date, geo_lat, geo_lon)`.execute(db);
    await notifyWhenJobsChange(db);
    return;
  }
  await sql`create index jobs_search_facts_idx on jobs (
    id, organisation_id, deleted_at, open_date, close_date, country_id, job_category_id, job_type_id,
    salary_currency_id, annual_salary_from, annual_salary_to, geo_lat, geo_lon, title_key)`.execute(db);

  await sql`drop table jobs_fts`.execute(db);
  await sql`drop table jobs_fts_prefix`.execute(db);
  await sql`create virtual table jobs_fts using fts5(
    title, summary, description, skills, reference, organisation, cells,
    content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
  await sql`create virtual table jobs_fts_prefix using fts5(
    title, skills, cells, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3')`.execute(db);
  await sql`insert into jobs_fts (rowid, title, summary, description, skills, reference, organisation, cells)
    select jobs.id, jobs.title, jobs.summary, jobs.description, coalesce(jobs.skills, ''), jobs.reference, organisations.name, ${CELLS}
    from jobs join organisations on organisations.id = jobs.organisation_id where jobs.deleted_at is null`.execute(db);
  await sql`insert into jobs_fts_prefix (rowid, title, skills, cells)
    select jobs.id, jobs.title, coalesce(jobs.skills, ''), ${CELLS} from jobs where jobs.deleted_at is null`.execute(db);
}

/*
 * Processes keep counts and rendered pages of jobs per filter
 * (src/search/list-cache.ts) and must hear of any change to what those
 * show, whoever makes it: statement triggers NOTIFY the schema's channel
 * (src/db/change-stamp.ts), delivered at commit, once per transaction
 * however many statements fire them.
 */
async function notifyWhenJobsChange(db: Kysely<unknown>): Promise<void> {
  await sql`create function jobs_changed_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('jobspace_jobs_' || tg_table_schema, '');
      return null;
    end $$`.execute(db);
  // A rendered job shows its organisation's and sites' names too; spending credits changes nothing shown.
  const events = { jobs: 'insert or update or delete', job_sites: 'insert or update or delete', sites: 'update or delete',
    organisations: 'update of handle, name or delete' };
  for (const [table, on] of Object.entries(events)) {
    await sql`create trigger ${sql.id(`${table}_changed_notify`)} after ${sql.raw(on)} on ${sql.table(table)}
      for each statement execute function jobs_changed_notify()`.execute(db);
  }
}
