import { type Kysely, sql } from 'kysely';
import { BUMP_AUTH_GENERATION, WATCHED_BY_AUTH_GENERATION } from '../migrations/0003_auth_generation.ts';
import { APPEND_ONLY } from '../migrations/0012_audit.ts';
import type { MigrationSteps } from './index.ts';

/*
 * What SQLite runs of each migration after the part both stores share
 * (src/db/migrations/). Released, like the migrations: a change here is a
 * new migration.
 */

/** 0002: FTS5 tables, contentless (src/search/engines/sqlite-fts5.ts). */
async function createFullTextTables(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table jobs_fts using fts5(
    title, summary, description, skills, reference, organisation,
    content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
  await sql`create virtual table jobs_fts_prefix using fts5(
    title, skills, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3')`.execute(db);
}

/* 0003: SQLite triggers take one event each and run per row; with one writer at a time, their order is free. */
async function createAuthGenerationTriggers(db: Kysely<unknown>): Promise<void> {
  for (const { table, events } of WATCHED_BY_AUTH_GENERATION) {
    for (const event of events) {
      const name = `${table}_${event.split(' ')[0]}_auth_generation`;
      await sql`create trigger ${sql.id(name)} after ${sql.raw(event)} on ${sql.table(table)}
        begin ${sql.raw(BUMP_AUTH_GENERATION)}; end`.execute(db);
    }
  }
}

/** The cell words as src/search/geo-box.ts makes them, written out: a migration stays as it was released. */
const CELLS = sql`
  'g0x' || cast(floor((jobs.geo_lat + 90) / 1) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 1) as integer) || ' ' ||
  'g1x' || cast(floor((jobs.geo_lat + 90) / 0.25) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 0.25) as integer) || ' ' ||
  'g2x' || cast(floor((jobs.geo_lat + 90) / 0.0625) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / 0.0625) as integer)`;

/*
 * 0004: a job's row is wide (the description sits in it), so each look-up
 * by id would read a page or more: `jobs_search_facts_idx`, keyed by id,
 * carries just the columns a search or a suggestion filters, orders and
 * counts by, under a hundred bytes per job. The full-text tables gain
 * `cells`, each job's grid cells as words (src/search/geo-box.ts), so that
 * FTS5 intersects "near here" with the keywords itself; FTS5 cannot add a
 * column, so the tables are made again and filled from the jobs (about a
 * minute per million jobs).
 */
async function createSearchWindow(db: Kysely<unknown>): Promise<void> {
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

/* 0009: the change feed of jobs (src/db/migrations/0009_job_changes.ts), and of what a rendered job shows besides its row. */
async function feedJobChanges(db: Kysely<unknown>): Promise<void> {
  const trigger = (name: string, event: string, table: string, body: string) =>
    sql`create trigger ${sql.id(name)} after ${sql.raw(event)} on ${sql.table(table)} begin ${sql.raw(body)}; end`.execute(db);
  for (const [event, row] of [['insert', 'new'], ['update', 'new'], ['delete', 'old']] as const) {
    await trigger(`jobs_${event}_job_changes`, event, 'jobs', `insert into job_changes (job_id) values (${row}.id)`);
    await trigger(`job_media_${event}_job_changes`, event, 'job_media', `insert into job_changes (job_id) values (${row}.job_id)`);
  }
  await trigger('organisations_job_changes', 'update of handle, name', 'organisations',
    'insert into job_changes (job_id) select id from jobs where organisation_id = new.id');
  await trigger('sites_job_changes', 'update of handle, name', 'sites',
    'insert into job_changes (job_id) select job_id from job_sites where site_id = new.id');
  // A keyword search near a point asks the full-text index for the place's cells (0004).
  await sql`drop index jobs_geo_idx`.execute(db);
}

export const AUDIT_GUARDED_EVENTS = ['update', 'delete'] as const;
export const auditGuardName = (event: string) => `audit_log_${event}_refused`;

/* 0012: the audit trail refuses every update and delete, whoever sends it. */
export async function keepAuditAppendOnly(db: Kysely<unknown>): Promise<void> {
  for (const event of AUDIT_GUARDED_EVENTS) {
    await sql`create trigger ${sql.id(auditGuardName(event))} before ${sql.raw(event)} on audit_log
      begin select raise(abort, ${sql.lit(APPEND_ONLY)}); end`.execute(db);
  }
}

export const SQLITE_MIGRATION_STEPS: MigrationSteps = {
  '0002_search': createFullTextTables,
  '0003_auth_generation': createAuthGenerationTriggers,
  '0004_search_window': createSearchWindow,
  '0009_job_changes': feedJobChanges,
  '0012_audit': keepAuditAppendOnly,
};
