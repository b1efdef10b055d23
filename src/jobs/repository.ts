import { sql, type Insertable, type RawBuilder, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { Executor, JobsTable, Tx } from '../db/types.ts';
import type { RowLock } from '../db/group-commit.ts';
import type { JobLogo } from '../media/repository.ts';
import { FILLED_COLUMNS } from './schema.ts';

export type JobRow = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobChanges = Updateable<JobsTable>;

/*
 * Columns kept for search and for the record, which neither the resource nor
 * an update reads; left out of reads, where each column of each row costs
 * about 0.2 µs to hand to JavaScript.
 */
const UNREAD_COLUMNS = ['annual_salary_from', 'annual_salary_to', 'title_key', 'api_client_id', 'created_by_user_id'] as const;

/** A job's columns as its readers see them. */
export type JobRead = Omit<JobRow, (typeof UNREAD_COLUMNS)[number]>;

/** A job with what its resource shows beside its own columns. */
export interface StoredJob {
  job: JobRead;
  organisation: { id: number; handle: string; name: string };
  postcode: string | null;
  sites: { id: number; handle: string; name: string }[];
  logo: JobLogo | null;
}

/* The columns of a job that no field of the table fills. */
const UNFILLED_COLUMNS = [
  'id', 'language_id', 'number_applied', 'api_client_id', 'created_by_user_id', 'created_at', 'updated_at', 'deleted_at',
] as const;

/* The compiler names a column of the jobs table that neither a field nor UNFILLED_COLUMNS fills ("missing: …"). */
type EveryColumn<Listed extends keyof JobRow> = [Exclude<keyof JobRow, Listed>] extends [never]
  ? readonly Listed[]
  : { missing: Exclude<keyof JobRow, Listed> };

function everyColumn<Listed extends keyof JobRow>(listed: readonly Listed[] & EveryColumn<Listed>): (keyof JobRow)[] {
  return [...listed];
}

/*
 * A job's columns, named rather than jobs.*: on PostgreSQL the table also
 * holds the full-text vectors (as long as the text itself), which no reader
 * of a job wants.
 */
const JOB_COLUMNS = everyColumn([...UNFILLED_COLUMNS, ...FILLED_COLUMNS]);
const READ_COLUMNS = JOB_COLUMNS.filter((column) => !(UNREAD_COLUMNS as readonly string[]).includes(column));

/*
 * A job's sites in one text, in id order (the order of the primary key
 * (job_id, site_id)): id, handle and name of each, every field followed by
 * a bar but the last, a bar or backslash within a field escaped with a
 * backslash. Spelt the same on both stores (string_agg with its own order
 * is SQLite 3.44's and PostgreSQL 9's), where JSON's aggregates are not.
 */
const SITE_FIELD_SEPARATOR = '|';

function packedSites(jobId: string): string {
  const bar = SITE_FIELD_SEPARATOR;
  const escaped = (column: string) => `replace(replace(${column}, '\\', '\\\\'), '${bar}', '\\${bar}')`;
  const fields = ['cast(sites.id as text)', escaped('sites.handle'), escaped('sites.name')].join(` || '${bar}' || `);
  return `(select string_agg(${fields}, '${bar}' order by job_sites.site_id)
      from job_sites inner join sites on sites.id = job_sites.site_id where job_sites.job_id = ${jobId})`;
}

function unpackSites(packed: string | null): StoredJob['sites'] {
  if (packed === null) return [];
  const fields = packed.includes('\\') ? splitEscaped(packed) : packed.split(SITE_FIELD_SEPARATOR);
  const sites: StoredJob['sites'] = [];
  for (let index = 0; index + 2 < fields.length; index += 3) {
    sites.push({ id: Number(fields[index]), handle: fields[index + 1] as string, name: fields[index + 2] as string });
  }
  return sites;
}

function splitEscaped(packed: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let index = 0; index < packed.length; index += 1) {
    const character = packed[index] as string;
    if (character === '\\') field += packed[++index] ?? '';
    else if (character === SITE_FIELD_SEPARATOR) {
      fields.push(field);
      field = '';
    } else field += character;
  }
  fields.push(field);
  return fields;
}

/*
 * Reads of a job select its organisation and postcode as scalar subqueries:
 * SQLite answers a point read that way in about a third of the time of the
 * same read through joins, which cost it about 1 µs per selected column. The
 * statements are written as SQL over a fixed column list, because building
 * forty column references with Kysely's query builder cost more than running
 * them (about 75 µs a read). A job has at most one logo (a unique index on
 * job and type), read the same way; its sites come packed in one column
 * (packedSites), so that a job is one statement, which on PostgreSQL is one
 * round trip.
 */
const JOB_SELECTION = `${READ_COLUMNS.map((column) => `jobs.${column}`).join(', ')},
    (select organisations.handle from organisations where organisations.id = jobs.organisation_id) as organisation_handle,
    (select organisations.name from organisations where organisations.id = jobs.organisation_id) as organisation_name,
    (select postcodes.postcode from postcodes where postcodes.id = jobs.postcode_id) as postcode,
    (select job_media.id from job_media where job_media.job_id = jobs.id and job_media.type = 'JOB_LOGO') as logo_id,
    (select job_media.storage_key from job_media where job_media.job_id = jobs.id and job_media.type = 'JOB_LOGO') as logo_storage_key,
    (select job_media.url from job_media where job_media.job_id = jobs.id and job_media.type = 'JOB_LOGO') as logo_url,
    ${packedSites('jobs.id')} as packed_sites`;
const SELECT_JOBS = sql.raw(`select ${JOB_SELECTION} from jobs`);

interface JobReadRow extends JobRead {
  organisation_handle: string;
  organisation_name: string;
  postcode: string | null;
  logo_id: number | null;
  logo_storage_key: string | null;
  logo_url: string | null;
  packed_sites: string | null;
}

const NO_LOCK: RowLock = sql``;

const ids = (values: readonly number[]) => sql.join(values.map((value) => sql`${value}`));

// The row is the job as it is: copying forty columns out of it cost 2 µs a row, and nothing lists a job's keys.
const storedJob = (row: JobReadRow): StoredJob => ({
  job: row,
  organisation: { id: row.organisation_id, handle: row.organisation_handle, name: row.organisation_name },
  postcode: row.postcode,
  sites: unpackSites(row.packed_sites),
  logo: row.logo_id === null ? null : { id: row.logo_id, storageKey: row.logo_storage_key, url: row.logo_url },
});

/**
 * The job if it meets these conditions (a caller's, src/tenancy/visibility.ts).
 * A write passes its lock, so the row stays as read until the write commits.
 */
export async function findJob(db: Executor, id: number, conditions: readonly RawBuilder<unknown>[], lock = NO_LOCK) {
  const { rows } = await sql<JobReadRow>`${SELECT_JOBS}
    where jobs.id = ${id} and ${sql.join(conditions, sql` and `)} ${lock}`.execute(db);
  const row = rows[0];
  return row === undefined ? undefined : storedJob(row);
}

/**
 * findJob, with scalar expressions beside the job (another feature's view of
 * it, or of the store), valued by the same statement and so in the same
 * snapshot; undefined, with none of them, when no job meets the conditions.
 */
export async function findJobAlongside<Names extends string>(
  db: Executor,
  id: number,
  conditions: readonly RawBuilder<unknown>[],
  alongside: Readonly<Record<Names, RawBuilder<unknown>>>,
): Promise<{ stored: StoredJob; alongside: Record<Names, unknown> } | undefined> {
  const names = Object.keys(alongside) as Names[];
  const extra = sql.join(names.map((name) => sql`${alongside[name]} as ${sql.ref(name)}`));
  const { rows } = await sql<JobReadRow & Record<Names, unknown>>`select ${sql.raw(JOB_SELECTION)}, ${extra} from jobs
    where jobs.id = ${id} and ${sql.join(conditions, sql` and `)}`.execute(db);
  const row = rows[0];
  return row === undefined ? undefined : { stored: storedJob(row), alongside: row };
}

/** These jobs, in the order of the ids given. */
export async function findJobsByIds(db: Executor, jobIds: readonly number[]): Promise<StoredJob[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await sql<JobReadRow>`${SELECT_JOBS} where jobs.id in (${ids(jobIds)})`.execute(db);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return jobIds.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [storedJob(row)];
  });
}

export async function isReferenceTaken(
  db: Executor,
  organisationId: number,
  reference: string,
  exceptJobId?: number,
): Promise<boolean> {
  let query = db
    .selectFrom('jobs')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('reference', '=', reference)
    .where('deleted_at', 'is', null);
  if (exceptJobId !== undefined) query = query.where('id', '!=', exceptJobId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** The organisation a job is posted for: what the job's resource shows, and its credit balance (null: unlimited). */
export async function findPostingOrganisation(tx: Tx, organisationId: number) {
  return tx
    .selectFrom('organisations')
    .select(['id', 'handle', 'name', 'credits'])
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
}

/*
 * Spends one credit of a limited balance. The decrement is conditional in
 * one statement, so concurrent posts cannot overspend. Returns false when
 * the balance is zero.
 */
export async function spendCredit(tx: Tx, organisationId: number, now: string): Promise<boolean> {
  const result = await tx
    .updateTable('organisations')
    .set((eb) => ({ credits: eb('credits', '-', 1), updated_at: now }))
    .where('id', '=', organisationId)
    .where('credits', '>', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/* Most postcodes are already known, so the common case is one read; a write that lost a race reads again. */
export async function findOrCreatePostcode(tx: Tx, countryId: number, postcode: string): Promise<number> {
  const find = () =>
    tx.selectFrom('postcodes').select('id').where('country_id', '=', countryId).where('postcode', '=', postcode);
  const known = await find().executeTakeFirst();
  if (known) return known.id;
  const inserted = await tx
    .insertInto('postcodes')
    .values({ country_id: countryId, postcode })
    .onConflict((conflict) => conflict.columns(['country_id', 'postcode']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? (await find().executeTakeFirstOrThrow()).id;
}

const RETURNING_JOB_COLUMNS = sql.raw(`returning ${JOB_COLUMNS.join(', ')}`);
const KNOWN_COLUMNS = new Set<string>(JOB_COLUMNS);
/* The column lists of inserts, by the columns given: a create gives the same ones each time. */
const insertedColumns = new Map<string, RawBuilder<unknown>>();

function columnList(columns: readonly string[]): RawBuilder<unknown> {
  const key = columns.join(', ');
  let list = insertedColumns.get(key);
  if (!list) {
    const unknown = columns.find((column) => !KNOWN_COLUMNS.has(column));
    if (unknown !== undefined) throw new Error(`jobs has no column ${unknown}`);
    list = sql.raw(key);
    insertedColumns.set(key, list);
  }
  return list;
}

/*
 * Inserts a new job on its sites; returns the row as stored. Written as SQL
 * over the columns given, as the reads are: Kysely's builder took about
 * 90 µs to make SQL of forty columns, more than SQLite took to store them.
 */
export async function insertJob(tx: Tx, job: NewJob, siteIds: readonly number[]): Promise<JobRow> {
  const values = job as Record<string, unknown>;
  const columns = Object.keys(values).filter((column) => values[column] !== undefined);
  const { rows } = await sql<JobRow>`insert into jobs (${columnList(columns)})
    values (${sql.join(columns.map((column) => values[column]))}) ${RETURNING_JOB_COLUMNS}`.execute(tx);
  const row = rows[0];
  if (!row) throw new Error('the insert into jobs returned no row');
  await insertJobSites(tx, row.id, siteIds);
  return row;
}

/** Returns the row as stored. */
export async function updateJob(tx: Tx, id: number, changes: JobChanges): Promise<JobRow> {
  return tx.updateTable('jobs').set(changes).where('id', '=', id).returning(JOB_COLUMNS).executeTakeFirstOrThrow();
}

async function insertJobSites(tx: Tx, jobId: number, siteIds: readonly number[]): Promise<void> {
  if (siteIds.length === 0) return;
  await sql`insert into job_sites (job_id, site_id) values ${sql.join(siteIds.map((siteId) => sql`(${jobId}, ${siteId})`))}`.execute(tx);
}

export async function replaceJobSites(tx: Tx, jobId: number, siteIds: readonly number[]): Promise<void> {
  await tx.deleteFrom('job_sites').where('job_id', '=', jobId).execute();
  await insertJobSites(tx, jobId, siteIds);
}

/** Sites as a job's resource shows them, in id order. */
export async function findSites(db: Executor, siteIds: readonly number[]): Promise<StoredJob['sites']> {
  if (siteIds.length === 0) return [];
  return db.selectFrom('sites').select(['id', 'handle', 'name']).where('id', 'in', siteIds).orderBy('id').execute();
}

/*
 * Deletes the job if it meets the condition (the caller's, see
 * src/tenancy/visibility.ts) and is not deleted yet, in one conditional
 * statement: of deletes that race, only one changes the row, and its
 * deleted_at is never moved. Returns whether this one did.
 */
export async function softDeleteJob(tx: Tx, id: number, condition: RawBuilder<SqlBool>, now: string): Promise<boolean> {
  const result = await tx
    .updateTable('jobs')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .where(condition)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Up to `limit` jobs deleted before this instant, lowest id first. */
export async function findJobsDeletedBefore(db: Executor, before: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('deleted_at', 'is not', null)
    .where('deleted_at', '<', before)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Deletes these jobs for good; their job_sites and job_media rows go with them (the foreign keys cascade). */
export async function hardDeleteJobs(tx: Tx, jobIds: readonly number[]): Promise<void> {
  if (jobIds.length === 0) return;
  await tx.deleteFrom('jobs').where('id', 'in', jobIds).execute();
}
