import type { Db, Executor, Tx } from '../db/types.ts';
import type { RowLock, Transact } from '../db/group-commit.ts';
import { AppError, validationFailed, type FieldErrors } from '../errors.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { requireVendor, type Caller, type ReadAsOf, type VendorCaller } from '../auth/caller.ts';
import { AUTH_GENERATION } from '../auth/repository.ts';
import { JOB_TOTALS, totalsFrom, type Counts } from '../counters/repository.ts';
import { authorisePosting, changeableJobCondition, jobStatus, readableJobConditions } from '../tenancy/visibility.ts';
import type { FullTextEngine } from '../search/engine.ts';
import type { ListCaches } from '../search/list-cache.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import { nowIso } from '../clock.ts';
import { recordEvent, type EventType } from '../deliveries/outbox.ts';
import { readJobFields, type ReadFields } from './validation.ts';
import { draftFromJob, resolveDraft } from './draft.ts';
import { logoChange } from './field-kinds.ts';
import type { JobDraft } from './schema.ts';
import { draftToRecord } from './record.ts';
import * as jobs from './repository.ts';
import type { StoredJob } from './repository.ts';
import { prepareLogoWrite, type LogoWrite } from '../media/logos.ts';
import type { MediaStorage } from '../media/storage.ts';
import { requestEntry, type Actor } from '../audit/trail.ts';

export interface JobServices {
  readonly db: Db;
  /** Where writes run: a transaction of their own, or a shared commit on SQLite (src/db/group-commit.ts). */
  readonly transact: Transact;
  readonly catalogue: Catalogue;
  readonly fullText: FullTextEngine;
  /** What lists and searches keep between requests (the facts, counts, keyword matches), marked stale by every write. */
  readonly lists: ListCaches;
  /** Where uploaded logos are kept. */
  readonly media: MediaStorage;
}

export const todayUtc = () => new Date().toISOString().slice(0, 10);

const referenceTaken = (read: ReadFields): FieldErrors => ({
  [read.sentAs.reference]: ['The reference has already been taken.'],
});

function requireLive(stored: StoredJob | undefined): StoredJob {
  if (!stored) throw new AppError('not_found');
  if (stored.job.deleted_at !== null) throw new AppError('gone', '410 Gone: the job was deleted.');
  return stored;
}

export async function getJob(services: JobServices, caller: Caller, id: number): Promise<StoredJob> {
  // A job the caller may not see is reported as missing.
  return requireLive(await jobs.findJob(services.db, id, readableJobConditions(caller, todayUtc())));
}

/** What a caller reads by id: the job, with its counts for a vendor (a board has none). */
export interface JobReading {
  readonly stored: StoredJob;
  readonly totals: Counts | undefined;
}

const READ_BESIDE_A_BOARD = { auth_generation: AUTH_GENERATION };
const READ_BESIDE_A_VENDOR = { auth_generation: AUTH_GENERATION, ...JOB_TOTALS };

/**
 * The job as this caller reads it by id (undefined when it may not), in one
 * statement with its counts and the auth generation, for readAsCaller
 * (src/auth/guard.ts) to confirm the caller with.
 */
export async function readJob(services: JobServices, caller: Caller, id: number): Promise<ReadAsOf<JobReading | undefined>> {
  const conditions = readableJobConditions(caller, todayUtc());
  if (caller.kind === 'board') {
    const found = await jobs.findJobAlongside(services.db, id, conditions, READ_BESIDE_A_BOARD);
    if (!found) return { value: undefined, generation: undefined };
    return { value: { stored: found.stored, totals: undefined }, generation: Number(found.alongside.auth_generation) };
  }
  const found = await jobs.findJobAlongside(services.db, id, conditions, READ_BESIDE_A_VENDOR);
  if (!found) return { value: undefined, generation: undefined };
  return { value: { stored: found.stored, totals: totalsFrom(found.alongside) }, generation: Number(found.alongside.auth_generation) };
}

/** The reading of a live job, or the 404 or 410 the caller gets instead (a job the caller may not see is reported as missing). */
export function requireLiveReading(reading: JobReading | undefined): JobReading {
  requireLive(reading?.stored);
  return reading as JobReading;
}

/** The organisation a write names, authorised for the caller (see tenancy/visibility.ts), or undefined when it names none. */
function authorise(caller: VendorCaller, read: ReadFields): number | undefined {
  const handle = read.fields.organisation;
  return authorisePosting(caller, typeof handle === 'string' ? handle : undefined, read.fields.sites ?? []);
}

async function checkReference(db: Executor, draft: JobDraft, read: ReadFields, exceptJobId?: number) {
  if (await jobs.isReferenceTaken(db, draft.organisation, draft.reference, exceptJobId)) {
    throw validationFailed(referenceTaken(read));
  }
}

async function runWrite<T>(read: ReadFields, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // Two writes raced past the reference check; the unique index decided.
    if (isUniqueViolation(error)) throw validationFailed(referenceTaken(read));
    throw error;
  }
}

/*
 * The job is inserted before the credit is spent: a taken reference (the
 * unique index decides, with no read beforehand) answers 422 before a spent
 * balance answers 402, and either rolls the whole write back. The resource
 * is built from what the write returned, not read again.
 */
/** A condition on the stored job that a write must meet (a request's If-Match), checked on the row the write locked. */
export type Precondition = (current: StoredJob) => void;

export async function createJob(services: JobServices, anyCaller: Caller, body: Record<string, unknown>, actor: Actor): Promise<StoredJob> {
  const { catalogue, fullText } = services;
  const caller = requireVendor(anyCaller);
  const read = readJobFields(body, 'create');
  const organisationId = authorise(caller, read);
  const { draft, errors } = resolveDraft(catalogue, read, organisationId);
  if (!draft) throw validationFailed(errors);
  const logo = await prepareLogoWrite(services.db, services.media, draft.logo);
  const now = nowIso();
  const stored = await runWrite(read, () =>
    services.transact(async (tx, _lock, atCommit): Promise<StoredJob> => {
      const record = await draftToRecord(tx, catalogue, draft);
      const job = await jobs.insertJob(
        tx,
        { ...record, api_client_id: caller.apiClientId, created_by_user_id: caller.userId, created_at: now, updated_at: now },
        draft.sites,
      );
      const { credits, ...organisation } = await jobs.findPostingOrganisation(tx, draft.organisation);
      if (credits !== null && !(await jobs.spendCredit(tx, organisation.id, now))) throw new AppError('insufficient_credits');
      atCommit.add(fullText.indexJobs, [job.id]);
      const jobLogo = (await logo.write(tx, job.id, now)) ?? null;
      await recordJobEvent(tx, 'job.created', job);
      atCommit.audit(requestEntry(actor, job.organisation_id, 'job.create', { type: 'job', id: job.id }));
      return { job, organisation, postcode: draft.postal_code, sites: await jobs.findSites(tx, draft.sites), logo: jobLogo };
    }),
  );
  services.lists.jobsWritten();
  await logo.settle();
  return stored;
}

/*
 * The job is read, checked and written in one transaction, its row locked
 * (see Transact), so that writes to one job take turns: each applies the
 * fields it was sent on top of the job as the one before it left it, and a
 * refusal (403, 404, 410, 412, 422) rolls back whatever it had begun. The
 * precondition is met or not by the job as locked, so of writes that race
 * with the same If-Match exactly one succeeds.
 */
export async function updateJob(services: JobServices, anyCaller: Caller, id: number, body: Record<string, unknown>, actor: Actor, precondition?: Precondition) {
  const caller = requireVendor(anyCaller);
  const read = readJobFields(body, 'update');
  // The logo is stored before the transaction, as on create (see prepareLogoWrite): what a write does to it
  // does not depend on the stored job. A file is kept only for an update that would be accepted now.
  const change = Object.keys(read.errors).length === 0 ? logoChange(read.fields) : undefined;
  if (change && 'file' in change) await draftUpdate(services, services.db, caller, read, await getJob(services, caller, id));
  const logo = await prepareLogoWrite(services.db, services.media, change);
  const stored = await runWrite(read, () =>
    services.transact(async (tx, lock, atCommit) => {
      const existing = requireLive(await jobs.findJob(tx, id, [changeableJobCondition(caller)], lock));
      precondition?.(existing);
      const draft = await draftUpdate(services, tx, caller, read, existing);
      const written = await writeUpdate(services, tx, existing, draft, read.fields.sites !== undefined, logo);
      atCommit.add(services.fullText.indexJobs, [id]);
      atCommit.audit(requestEntry(actor, written.job.organisation_id, 'job.update', { type: 'job', id }));
      return written;
    }),
  );
  services.lists.jobsWritten();
  await logo.settle();
  return stored;
}

/** The update's draft over the stored job, or the 403 or 422 that refuses it. */
async function draftUpdate(services: JobServices, db: Executor, caller: VendorCaller, read: ReadFields, existing: StoredJob) {
  const organisationId = authorise(caller, read);
  const { draft, errors } = resolveDraft(services.catalogue, read, organisationId, draftFromJob(existing));
  if (!draft) throw validationFailed(errors);
  if (read.fields.reference !== undefined || organisationId !== undefined) await checkReference(db, draft, read, existing.job.id);
  return draft;
}

/** Writes the draft over the job; the resource is built from what the write returned, not read again. */
async function writeUpdate(
  services: JobServices,
  tx: Tx,
  existing: StoredJob,
  draft: JobDraft,
  sitesSent: boolean,
  logo: LogoWrite,
): Promise<StoredJob> {
  const id = existing.job.id;
  const now = nowIso();
  const record = await draftToRecord(tx, services.catalogue, draft);
  const job = await jobs.updateJob(tx, id, { ...record, updated_at: now });
  if (sitesSent) await jobs.replaceJobSites(tx, id, draft.sites);
  const written = await logo.write(tx, id, now);
  await recordJobEvent(tx, 'job.updated', job);
  return {
    job,
    organisation: draft.organisation === existing.organisation.id ? existing.organisation : await findOrganisation(tx, draft.organisation),
    postcode: draft.postal_code,
    sites: sitesSent ? await jobs.findSites(tx, draft.sites) : existing.sites,
    logo: written === undefined ? existing.logo : written,
  };
}

async function findOrganisation(tx: Tx, organisationId: number): Promise<StoredJob['organisation']> {
  const { id, handle, name } = await jobs.findPostingOrganisation(tx, organisationId);
  return { id, handle, name };
}

/** The outbox event of a job's change, in the change's transaction: ids and states only. */
async function recordJobEvent(tx: Tx, type: EventType, job: StoredJob['job']) {
  const data = { job_id: job.id, reference: job.reference, status: jobStatus(job, todayUtc()) };
  await recordEvent(tx, { organisationId: job.organisation_id, type, data });
}

/*
 * Only the delete that changes the row is acknowledged; the job is gone for
 * any other, as for a later one. A precondition is checked on the job read
 * with its row locked, before the delete.
 */
export async function deleteJob(services: JobServices, caller: Caller, id: number, actor: Actor, precondition?: Precondition): Promise<void> {
  const changeable = changeableJobCondition(requireVendor(caller));
  const deleted = await services.transact(async (tx, lock, atCommit) => {
    if (precondition) await checkLiveJob(tx, id, changeable, lock, precondition);
    if (!(await jobs.softDeleteJob(tx, id, changeable, nowIso()))) return false;
    const deletedJob = await jobs.findJob(tx, id, [changeable]);
    if (deletedJob) await recordJobEvent(tx, 'job.deleted', deletedJob.job);
    atCommit.audit(requestEntry(actor, deletedJob?.job.organisation_id ?? null, 'job.delete', { type: 'job', id }));
    atCommit.add(services.fullText.indexJobs, [id]);
    return true;
  });
  if (!deleted) throw validationFailed({ job_id: ['Invalid job id.'] });
  services.lists.jobsWritten();
}

/* A job that is not there or deleted is left to the delete's own answer. */
async function checkLiveJob(tx: Tx, id: number, changeable: ReturnType<typeof changeableJobCondition>, lock: RowLock, precondition: Precondition) {
  const current = await jobs.findJob(tx, id, [changeable], lock);
  if (current && current.job.deleted_at === null) precondition(current);
}
