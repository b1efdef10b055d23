import { sql, type Insertable, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { ApplicationsTable, ApplicationStatus, Executor, Tx } from '../db/types.ts';

export type ApplicationRow = Selectable<ApplicationsTable>;
export type NewApplication = Insertable<ApplicationsTable>;

/** An application with what its resource shows beside its own columns. */
export interface StoredApplication {
  readonly application: ApplicationRow;
  readonly site: { id: number; handle: string };
}

const COLUMNS = [
  'applications.id', 'applications.job_id', 'applications.site_id', 'applications.api_client_id',
  'applications.first_name', 'applications.last_name', 'applications.email', 'applications.email_key',
  'applications.phone', 'applications.cover_letter', 'applications.notes', 'applications.cv_storage_key',
  'applications.cv_filename', 'applications.cv_content_type', 'applications.cv_size', 'applications.source',
  'applications.status', 'applications.consented_at', 'applications.created_at', 'applications.updated_at',
  'applications.erased_at',
] as const;

function selectApplications(db: Executor) {
  return db
    .selectFrom('applications')
    .innerJoin('sites', 'sites.id', 'applications.site_id')
    .select([...COLUMNS, 'sites.handle as site_handle']);
}

type ReadRow = ApplicationRow & { site_handle: string };

const stored = ({ site_handle: handle, ...application }: ReadRow): StoredApplication => ({
  application,
  site: { id: application.site_id, handle },
});

export async function insertApplication(tx: Tx, row: NewApplication): Promise<ApplicationRow> {
  return tx.insertInto('applications').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSiteHandle(db: Executor, siteId: number): Promise<string> {
  return (await db.selectFrom('sites').select('handle').where('id', '=', siteId).executeTakeFirstOrThrow()).handle;
}

/* One statement: racing applies each add their one, whatever they read. */
export async function countApplication(tx: Tx, jobId: number): Promise<void> {
  await tx.updateTable('jobs').set((eb) => ({ number_applied: eb('number_applied', '+', 1) })).where('id', '=', jobId).execute();
}

/** The application if it meets the condition (the caller's, src/tenancy/visibility.ts), erased or not. */
export async function findApplication(db: Executor, id: number, condition: RawBuilder<SqlBool>): Promise<StoredApplication | undefined> {
  const row = await selectApplications(db).where('applications.id', '=', id).where(condition).executeTakeFirst();
  return row && stored(row as ReadRow);
}

export interface ApplicationFilters {
  readonly status?: ApplicationStatus;
  /** Instants, inclusive from, exclusive to. */
  readonly createdFrom?: string;
  readonly createdBefore?: string;
}

/** A page of a job's applications not erased, newest first, and how many there are in all. */
export async function listApplications(
  db: Executor,
  jobId: number,
  filters: ApplicationFilters,
  page: { offset: number; size: number },
): Promise<{ rows: StoredApplication[]; total: number }> {
  let query = selectApplications(db).where('applications.job_id', '=', jobId).where('applications.erased_at', 'is', null);
  if (filters.status !== undefined) query = query.where('applications.status', '=', filters.status);
  if (filters.createdFrom !== undefined) query = query.where('applications.created_at', '>=', filters.createdFrom);
  if (filters.createdBefore !== undefined) query = query.where('applications.created_at', '<', filters.createdBefore);
  const [rows, count] = await Promise.all([
    query.orderBy('applications.id', 'desc').limit(page.size).offset(page.offset).execute(),
    query.clearSelect().select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map((row) => stored(row as ReadRow)), total: Number(count.total) };
}

export interface ApplicationUpdate {
  readonly status?: ApplicationStatus;
  readonly notes?: string | null;
  readonly updated_at: string;
}

/** Changes an application not erased; returns the row as stored, or undefined when it is (or is not there). */
export async function updateApplication(tx: Tx, id: number, changes: ApplicationUpdate): Promise<ApplicationRow | undefined> {
  return tx.updateTable('applications').set(changes).where('id', '=', id).where('erased_at', 'is', null).returningAll().executeTakeFirst();
}

/*
 * Nulls every personal column of an application not yet erased, in one
 * conditional statement: of erasures that race (a delete and the sweep, two
 * workers' sweeps), one changes the row. Returns the CV's key when this one
 * did (null without a CV), undefined otherwise.
 */
export async function eraseApplication(tx: Tx, id: number, now: string) {
  const before = await tx
    .selectFrom('applications')
    .select(['cv_storage_key', 'job_id'])
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (!before) return undefined;
  const result = await tx
    .updateTable('applications')
    .set({
      first_name: null, last_name: null, email: null, email_key: null, phone: null, cover_letter: null, notes: null,
      cv_storage_key: null, cv_filename: null, cv_content_type: null, cv_size: null, consented_at: null,
      erased_at: now, updated_at: now,
    })
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return { cvKey: before.cv_storage_key, jobId: before.job_id };
}

/*
 * An erased application's deliveries keep none of it: each payload is
 * emptied, its last error (which may quote it) cleared, and those not yet
 * sent are cancelled.
 */
export async function forgetDeliveriesOf(tx: Tx, applicationIds: readonly number[]): Promise<void> {
  if (applicationIds.length === 0) return;
  await tx
    .updateTable('deliveries')
    .set({ status: sql`case when status = 'pending' then 'cancelled' else status end`, payload: '{}', last_error: null })
    .where('application_id', 'in', applicationIds)
    .execute();
}

/** Up to `limit` applications made before this instant and not erased, oldest first. */
export async function findApplicationsMadeBefore(db: Executor, before: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('applications')
    .select('id')
    .where('erased_at', 'is', null)
    .where('created_at', '<', before)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Those of these CV keys an application still names. */
export async function findNamedCvKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('applications').select('cv_storage_key').where('cv_storage_key', 'in', keys).execute();
  return new Set(rows.map((row) => row.cv_storage_key as string));
}

/*
 * Deliveries still carrying an application that is gone for good (its job
 * purged, which cascades to it): forgotten as an erasure forgets them.
 */
export async function findDeliveriesOfMissingApplications(db: Executor, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('application_id')
    .distinct()
    .where('application_id', 'is not', null)
    .where('payload', '!=', '{}')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('applications').select('applications.id').whereRef('applications.id', '=', 'deliveries.application_id'))))
    .limit(limit)
    .execute();
  return rows.map((row) => row.application_id as number);
}

/** The named secret, made from `generate` by whichever process asks first; every process then reads the same one. */
export async function findOrCreateSecret(db: Executor, name: string, generate: () => string, now: string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, value: generate(), created_at: now })
    .onConflict((conflict) => conflict.column('name').doNothing()).execute();
  return (await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
}
