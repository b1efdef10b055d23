import { type Kysely, sql } from 'kysely';
import { BUMP_AUTH_GENERATION, WATCHED_BY_AUTH_GENERATION } from '../migrations/0003_auth_generation.ts';
import { APPEND_ONLY } from '../migrations/0012_audit.ts';
import type { MigrationSteps } from './index.ts';

/*
 * What PostgreSQL runs of each migration after the part both stores share
 * (src/db/migrations/). Released, like the migrations: a change here is a
 * new migration.
 */

/** 0002: tsvector columns under GIN indexes (src/search/engines/postgres-tsvector.ts). */
async function createFullTextColumns(db: Kysely<unknown>): Promise<void> {
  await sql`alter table jobs add column search_vector tsvector, add column prefix_vector tsvector`.execute(db);
  await sql`create index jobs_search_vector_idx on jobs using gin (search_vector)`.execute(db);
  await sql`create index jobs_prefix_vector_idx on jobs using gin (prefix_vector)`.execute(db);
}

/*
 * 0003: one trigger per table, run once per statement; truncate too, which
 * skips delete triggers. Before the statement, so that every writer locks
 * the counter before the rows it changes: after, a transaction revoking a
 * client's tokens and a statement revoking a family of them could each hold
 * what the other waits for, a deadlock. The function keeps the search_path
 * it was made with, so that a session set to another schema (an operator's
 * psql) still raises this store's counter.
 */
async function createAuthGenerationTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create function bump_auth_generation() returns trigger language plpgsql
    set search_path from current as $$ begin ${sql.raw(BUMP_AUTH_GENERATION)}; return null; end $$`.execute(db);
  for (const { table, events } of WATCHED_BY_AUTH_GENERATION) {
    await sql`create trigger ${sql.id(`${table}_auth_generation`)}
      before ${sql.raw([...events, 'truncate'].join(' or '))} on ${sql.table(table)}
      for each statement execute function bump_auth_generation()`.execute(db);
  }
}

/*
 * 0004: a job's wide text is kept out of line (TOAST), so its rows stay
 * narrow and need no narrow copy as on SQLite. Suggestions read the newest
 * jobs whose title starts so: a title range, read from the index alone.
 */
async function createSearchWindow(db: Kysely<unknown>): Promise<void> {
  await sql`create index jobs_title_suggest_idx on jobs (title_key, id)
    include (organisation_id, deleted_at, open_date, close_date, geo_lat, geo_lon)`.execute(db);
  await notifyWhenJobsChange(db);
}

/*
 * Processes keep counts and rendered pages of jobs per filter
 * (src/search/list-cache.ts) and must hear of any change to what those
 * show, whoever makes it: statement triggers NOTIFY the schema's channel
 * (src/db/dialects/postgres-listen.ts), delivered at commit, once per
 * transaction however many statements fire them.
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

/** 0005: a rendered job shows its logo, so lists cached by other processes must hear of a change (see 0004). */
async function notifyWhenMediaChange(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger job_media_changed_notify after insert or update or delete on job_media
    for each statement execute function jobs_changed_notify()`.execute(db);
}

/* 0009: the change feed of jobs (src/db/migrations/0009_job_changes.ts), and of what a rendered job shows besides its row. */
async function feedJobChanges(db: Kysely<unknown>): Promise<void> {
  const feed = async (name: string, body: string) =>
    sql`create function ${sql.id(name)}() returns trigger language plpgsql as $$
      begin
        ${sql.raw(body)};
        return null;
      end $$`.execute(db);
  await feed('jobs_feed_change', "insert into job_changes (job_id) values (case when tg_op = 'DELETE' then old.id else new.id end)");
  await feed('job_media_feed_change', "insert into job_changes (job_id) values (case when tg_op = 'DELETE' then old.job_id else new.job_id end)");
  await feed('organisations_feed_change', 'insert into job_changes (job_id) select id from jobs where organisation_id = new.id');
  await feed('sites_feed_change', 'insert into job_changes (job_id) select job_id from job_sites where site_id = new.id');
  const triggers = [
    ['jobs', 'insert or update or delete', 'jobs_feed_change'],
    ['job_media', 'insert or update or delete', 'job_media_feed_change'],
    ['organisations', 'update of handle, name', 'organisations_feed_change'],
    ['sites', 'update of handle, name', 'sites_feed_change'],
  ] as const;
  for (const [table, on, run] of triggers) {
    await sql`create trigger ${sql.id(`${table}_job_changes`)} after ${sql.raw(on)} on ${sql.table(table)}
      for each row execute function ${sql.id(run)}()`.execute(db);
  }
}

/* 0012: the audit trail refuses every update, delete and truncate, whoever sends it; per statement, so truncate too. */
async function keepAuditAppendOnly(db: Kysely<unknown>): Promise<void> {
  await sql`create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception ${sql.lit(APPEND_ONLY)} using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete or truncate on audit_log
    for each statement execute function audit_log_refuse_change()`.execute(db);
}

export const POSTGRES_MIGRATION_STEPS: MigrationSteps = {
  '0002_search': createFullTextColumns,
  '0003_auth_generation': createAuthGenerationTriggers,
  '0004_search_window': createSearchWindow,
  '0005_job_media': notifyWhenMediaChange,
  '0009_job_changes': feedJobChanges,
  '0012_audit': keepAuditAppendOnly,
};
