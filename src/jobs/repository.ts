import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor, JobsTable, Tx } from '../db/types.ts';

export type JobRow = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobChanges = Updateable<JobsTable>;

/** A job with what its resource shows beside its own columns. */
export interface StoredJob {
  job: JobRow;
  organisation: { id: number; handle: string; name: string };
  postcode: string | null;
  sites: { id: number; handle: string; name: string }[];
}

function selectJobs(db: Executor) {
  return db
    .selectFrom('jobs')
    .innerJoin('organisations', 'organisations.id', 'jobs.organisation_id')
    .leftJoin('postcodes', 'postcodes.id', 'jobs.postcode_id')
    .selectAll('jobs')
    .select([
      'organisations.handle as organisation_handle',
      'organisations.name as organisation_name',
      'postcodes.postcode as postcode',
    ]);
}

async function withSites(db: Executor, rows: Awaited<ReturnType<ReturnType<typeof selectJobs>['execute']>>) {
  const ids = rows.map((row) => row.id);
  const siteRows = ids.length
    ? await db
        .selectFrom('job_sites')
        .innerJoin('sites', 'sites.id', 'job_sites.site_id')
        .select(['job_sites.job_id', 'sites.id', 'sites.handle', 'sites.name'])
        .where('job_sites.job_id', 'in', ids)
        .orderBy('sites.id')
        .execute()
    : [];
  return rows.map(({ organisation_handle, organisation_name, postcode, ...job }): StoredJob => ({
    job,
    organisation: { id: job.organisation_id, handle: organisation_handle, name: organisation_name },
    postcode,
    sites: siteRows
      .filter((site) => site.job_id === job.id)
      .map((site) => ({ id: site.id, handle: site.handle, name: site.name })),
  }));
}

/** The job if it belongs to one of these organisations, deleted or not. */
export async function findJobInOrganisations(db: Executor, id: number, organisationIds: readonly number[]) {
  if (organisationIds.length === 0) return undefined;
  const rows = await selectJobs(db)
    .where('jobs.id', '=', id)
    .where('jobs.organisation_id', 'in', organisationIds)
    .execute();
  return (await withSites(db, rows))[0];
}

/** The job if it is live today on one of these sites. */
export async function findLiveJobOnSites(db: Executor, id: number, siteIds: readonly number[], today: string) {
  if (siteIds.length === 0) return undefined;
  const rows = await selectJobs(db)
    .where('jobs.id', '=', id)
    .where('jobs.deleted_at', 'is', null)
    .where('jobs.open_date', '<=', today)
    .where('jobs.close_date', '>=', today)
    .where((eb) =>
      eb.exists(
        eb.selectFrom('job_sites').select('job_sites.job_id')
          .whereRef('job_sites.job_id', '=', 'jobs.id').where('job_sites.site_id', 'in', siteIds),
      ),
    )
    .execute();
  return (await withSites(db, rows))[0];
}

/** These jobs, in the order of the ids given. */
export async function findJobsByIds(db: Executor, ids: readonly number[]): Promise<StoredJob[]> {
  if (ids.length === 0) return [];
  const stored = await withSites(db, await selectJobs(db).where('jobs.id', 'in', ids).execute());
  const byId = new Map(stored.map((item) => [item.job.id, item]));
  return ids.flatMap((id) => byId.get(id) ?? []);
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

/*
 * Spends one credit when the organisation has a balance. The decrement is
 * conditional in one statement, so concurrent posts cannot overspend.
 * Returns false when the balance is zero.
 */
export async function spendCredit(tx: Tx, organisationId: number, now: string): Promise<boolean> {
  const organisation = await tx
    .selectFrom('organisations')
    .select('credits')
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
  if (organisation.credits === null) return true;
  const result = await tx
    .updateTable('organisations')
    .set((eb) => ({ credits: eb('credits', '-', 1), updated_at: now }))
    .where('id', '=', organisationId)
    .where('credits', '>', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findOrCreatePostcode(tx: Tx, countryId: number, postcode: string): Promise<number> {
  await tx
    .insertInto('postcodes')
    .values({ country_id: countryId, postcode })
    .onConflict((conflict) => conflict.columns(['country_id', 'postcode']).doNothing())
    .execute();
  const row = await tx
    .selectFrom('postcodes')
    .select('id')
    .where('country_id', '=', countryId)
    .where('postcode', '=', postcode)
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertJob(tx: Tx, job: NewJob, siteIds: readonly number[]): Promise<number> {
  const { id } = await tx.insertInto('jobs').values(job).returning('id').executeTakeFirstOrThrow();
  await replaceJobSites(tx, id, siteIds);
  return id;
}

export async function updateJob(tx: Tx, id: number, changes: JobChanges): Promise<void> {
  await tx.updateTable('jobs').set(changes).where('id', '=', id).execute();
}

export async function replaceJobSites(tx: Tx, jobId: number, siteIds: readonly number[]): Promise<void> {
  await tx.deleteFrom('job_sites').where('job_id', '=', jobId).execute();
  if (siteIds.length === 0) return;
  await tx
    .insertInto('job_sites')
    .values(siteIds.map((siteId) => ({ job_id: jobId, site_id: siteId })))
    .execute();
}

export async function softDeleteJob(db: Executor, id: number, now: string): Promise<void> {
  await db.updateTable('jobs').set({ deleted_at: now, updated_at: now }).where('id', '=', id).execute();
}
