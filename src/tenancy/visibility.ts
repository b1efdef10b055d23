import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { BoardCaller, Caller, VendorCaller } from '../auth/caller.ts';
import type { Executor } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { findOrganisationByIdOrHandle, findSiteByIdOrHandleAmong, idOfIdOrHandle } from './repository.ts';

/*
 * Who sees which job, defined once. A vendor (a user through a client)
 * reaches its user's organisations' jobs, on any site; a board client
 * reaches the jobs on its sites, from every organisation, and of those only
 * the live ones. Every reader of jobs (read by id, list, search, facets,
 * suggestions) takes its conditions from here, as SQL over `jobs` or, for
 * lists and searches over the jobs held in memory, the same rule in
 * JavaScript beside it, so that a new reader cannot get tenancy wrong by
 * writing it again.
 */

/** What a caller's jobs are found by: plain data, so that it can key the list caches. */
export type JobScope = { readonly organisationIds: readonly number[] } | { readonly siteIds: readonly number[] };

export function scopeOf(caller: Caller): JobScope {
  return caller.kind === 'vendor'
    ? { organisationIds: caller.organisations.map((organisation) => organisation.id) }
    : { siteIds: caller.siteIds };
}

const ids = (values: readonly number[]) => sql.join(values.map((value) => sql`${value}`));

/** The jobs within a scope, deleted or not. */
function inScope(scope: JobScope): RawBuilder<SqlBool> {
  if ('organisationIds' in scope) {
    return scope.organisationIds.length === 0 ? sql`1 = 0` : sql`jobs.organisation_id in (${ids(scope.organisationIds)})`;
  }
  if (scope.siteIds.length === 0) return sql`1 = 0`;
  return sql<SqlBool>`exists (select 1 from job_sites where job_sites.job_id = jobs.id and job_sites.site_id in (${ids(scope.siteIds)}))`;
}

const NOT_DELETED = sql`jobs.deleted_at is null`;

/*
 * A job's status by its dates, in JavaScript (for the resource) and in SQL
 * (for filters): one definition in two languages, kept side by side. A
 * close date is the last day a job is open.
 */
export type JobStatus = 'scheduled' | 'live' | 'expired' | 'deleted';

export function jobStatus(job: { deleted_at: string | null; open_date: string; close_date: string }, today: string): JobStatus {
  if (job.deleted_at !== null) return 'deleted';
  if (job.open_date > today) return 'scheduled';
  if (job.close_date < today) return 'expired';
  return 'live';
}

export const STATUS_FILTERS = ['live', 'scheduled', 'expired', 'any'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

function statusConditions(status: StatusFilter, today: string): RawBuilder<unknown>[] {
  switch (status) {
    case 'live':
      return [sql`jobs.open_date <= ${today}`, sql`jobs.close_date >= ${today}`];
    case 'scheduled':
      return [sql`jobs.open_date > ${today}`];
    case 'expired':
      return [sql`jobs.close_date < ${today}`];
    case 'any':
      return [];
  }
}

/** The status a caller lists: a vendor's choice (every status by default); a board's, live only (400 for another). */
export function listedStatus(caller: Caller, requested: StatusFilter | undefined): StatusFilter {
  if (caller.kind === 'vendor') return requested ?? 'any';
  if (requested !== undefined && requested !== 'live') throw new AppError('bad_request', 'A board client sees live jobs only.');
  return 'live';
}

/** The conditions of the jobs a suggestion shows: never deleted ones. */
export function listedJobConditions(scope: JobScope, status: StatusFilter, today: string): RawBuilder<unknown>[] {
  return [NOT_DELETED, inScope(scope), ...statusConditions(status, today)];
}

/** What the same rule reads of each job in memory: columns indexed by job id (src/search/facts.ts), dates as day numbers. */
export interface ListedColumns {
  /** 1 for a job present and not deleted. */
  readonly listed: Uint8Array;
  readonly organisation: Int32Array;
  readonly openDay: Int32Array;
  readonly closeDay: Int32Array;
  /** A test of whether a job is on any of these sites. */
  onSites(siteIds: readonly number[]): (id: number) => boolean;
}

/**
 * listedJobConditions in JavaScript, for lists and searches, which filter
 * the jobs held in memory: the same scope and status, kept beside the SQL.
 * `today` is a day number.
 */
export function listedJobTest(columns: ListedColumns, scope: JobScope, status: StatusFilter, today: number): (id: number) => boolean {
  const { listed, organisation, openDay, closeDay } = columns;
  const organisations = 'organisationIds' in scope ? new Set(scope.organisationIds) : null;
  const onSites = 'siteIds' in scope ? columns.onSites(scope.siteIds) : null;
  return (id) => {
    if (listed[id] !== 1) return false;
    if (organisations !== null && !organisations.has(organisation[id] as number)) return false;
    if (onSites !== null && !onSites(id)) return false;
    switch (status) {
      case 'live':
        return (openDay[id] as number) <= today && (closeDay[id] as number) >= today;
      case 'scheduled':
        return (openDay[id] as number) > today;
      case 'expired':
        return (closeDay[id] as number) < today;
      case 'any':
        return true;
    }
  };
}

/*
 * The conditions of a job a caller may read by id. A vendor reads its
 * deleted jobs too, so as to answer 410 rather than 404; a board reads the
 * jobs it lists. (The board's terms come in the order this point read has
 * always had.)
 */
export function readableJobConditions(caller: Caller, today: string): RawBuilder<unknown>[] {
  if (caller.kind === 'vendor') return [inScope(scopeOf(caller))];
  return [NOT_DELETED, ...statusConditions('live', today), inScope(scopeOf(caller))];
}

/*
 * 403 for a write that names an organisation the user is not in, or a site
 * the client is not granted; an organisation that does not exist is the
 * same 403, so a write cannot tell the two apart. Returns the organisation's
 * id, or undefined when the write names none.
 */
export function authorisePosting(caller: VendorCaller, organisationHandle: string | undefined, siteIds: readonly number[]): number | undefined {
  let organisationId: number | undefined;
  if (organisationHandle !== undefined) {
    const wanted = organisationHandle.toLowerCase();
    const organisation = caller.organisations.find((candidate) => candidate.handle.toLowerCase() === wanted);
    if (!organisation) throw new AppError('forbidden', `You may not post jobs for organisation ${organisationHandle}.`);
    organisationId = organisation.id;
  }
  const refused = siteIds.filter((siteId) => !caller.siteIds.includes(siteId));
  if (refused.length > 0) throw new AppError('forbidden', `This client may not post to site ${refused.join(', ')}.`);
  return organisationId;
}

/** The condition of a job a vendor may change (update, delete), deleted or not: a board changes none. */
export function changeableJobCondition(caller: VendorCaller): RawBuilder<SqlBool> {
  return inScope(scopeOf(caller));
}

/*
 * Filters name only what the caller may see, so that another tenant's
 * organisation or a site not granted answers exactly as one that does not
 * exist: undefined, which the search reports as 400. A vendor names its
 * user's organisations; a board, which shows every organisation's jobs,
 * any organisation. Either names only its client's sites.
 */
export async function findVisibleOrganisation(db: Executor, caller: Caller, idOrHandle: string) {
  if (caller.kind === 'board') return findOrganisationByIdOrHandle(db, idOrHandle);
  const id = idOfIdOrHandle(idOrHandle);
  return caller.organisations.find((organisation) => organisation.id === id || organisation.handle === idOrHandle);
}

export function findVisibleSite(db: Executor, caller: Caller, idOrHandle: string) {
  return findSiteByIdOrHandleAmong(db, idOrHandle, caller.siteIds);
}

/*
 * Applications. A board applies to the jobs of its sites: found by the
 * same scope as its reads, deleted or not, so that a job the board showed
 * and that has since closed or been deleted answers 410 rather than 404;
 * one not yet open is not shown, so it is missing (404).
 */
export function appliableJobConditions(caller: BoardCaller): RawBuilder<unknown>[] {
  return [inScope(scopeOf(caller))];
}

export function requireOpenForApplications(job: { deleted_at: string | null; open_date: string; close_date: string }, today: string): void {
  const status = jobStatus(job, today);
  if (status === 'scheduled') throw new AppError('not_found');
  if (status === 'deleted') throw new AppError('gone', '410 Gone: the job was deleted.');
  if (status === 'expired') throw new AppError('gone', '410 Gone: the job is closed to applications.');
}

/** The site of the board's an application or a view is counted for: the lowest of the job's sites the board shows. */
export function boardSiteOf(caller: BoardCaller, jobSiteIds: readonly number[]): number | undefined {
  return jobSiteIds.filter((siteId) => caller.siteIds.includes(siteId)).sort((a, b) => a - b)[0];
}

/*
 * A vendor reaches the applications to its user's organisations' jobs, by
 * the job's organisation as it is now (a job moved to another organisation
 * takes its applications along); a board reaches none.
 */
export function readableApplicationCondition(caller: VendorCaller): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from jobs where jobs.id = applications.job_id and ${inScope(scopeOf(caller))})`;
}

/*
 * An organisation's own settings (its webhooks): a vendor manages those of
 * its user's organisations; a board client none (403). Another
 * organisation's is found by no one, so it answers as one that does not exist.
 */
export function managedOrganisationIds(caller: Caller): number[] {
  if (caller.kind !== 'vendor') throw new AppError('forbidden', 'A board client may not manage webhooks.');
  return caller.organisations.map((organisation) => organisation.id);
}

/** The id of the organisation a settings write names: 403 for one the user is not in, or one that does not exist. */
export function authoriseOrganisation(caller: VendorCaller, organisationHandle: string): number {
  const wanted = organisationHandle.toLowerCase();
  const organisation = caller.organisations.find((candidate) => candidate.handle.toLowerCase() === wanted);
  if (!organisation) throw new AppError('forbidden', `You may not manage organisation ${organisationHandle}.`);
  return organisation.id;
}
