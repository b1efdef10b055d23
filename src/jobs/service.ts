import type { Db } from '../db/types.ts';
import type { Transact } from '../db/group-commit.ts';
import { AppError, validationFailed, type FieldErrors } from '../errors.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { callerOrganisationIds, requireVendor, type Caller, type VendorCaller } from '../auth/caller.ts';
import type { FullTextEngine } from '../search/engine.ts';
import type { ListCaches } from '../search/list-cache.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import { nowIso } from '../clock.ts';
import { readJobFields, type ReadFields } from './validation.ts';
import { draftFromJob, resolveDraft, type JobDraft } from './draft.ts';
import { draftToRecord } from './record.ts';
import * as jobs from './repository.ts';
import type { StoredJob } from './repository.ts';
import { prepareLogoWrite } from '../media/logos.ts';
import type { MediaStorage } from '../media/storage.ts';

export interface JobServices {
  readonly db: Db;
  /** Where writes run: a transaction of their own, or a shared commit on SQLite (src/db/group-commit.ts). */
  readonly transact: Transact;
  readonly catalogue: Catalogue;
  readonly fullText: FullTextEngine;
  /** Counts and rendered pages of lists, cleared by every write. */
  readonly lists: ListCaches;
  /** Where uploaded logos are kept. */
  readonly media: MediaStorage;
}

export const todayUtc = () => new Date().toISOString().slice(0, 10);

const referenceTaken = (read: ReadFields): FieldErrors => ({
  [read.sentAs.reference]: ['The reference has already been taken.'],
});

/*
 * A job the caller may see. Another organisation's job is reported as
 * missing; a board sees only jobs live on its sites, anything else is missing.
 */
async function findVisibleJob(db: Db, caller: Caller, id: number): Promise<StoredJob> {
  const stored =
    caller.kind === 'vendor'
      ? await jobs.findJobInOrganisations(db, id, callerOrganisationIds(caller))
      : await jobs.findLiveJobOnSites(db, id, caller.siteIds, todayUtc());
  if (!stored) throw new AppError('not_found');
  return stored;
}

export async function getJob(services: JobServices, caller: Caller, id: number): Promise<StoredJob> {
  const stored = await findVisibleJob(services.db, caller, id);
  if (stored.job.deleted_at !== null) throw new AppError('gone', '410 Gone: the job was deleted.');
  return stored;
}

/** 403 for an organisation the user is not in or a site the client may not post to. */
function authorise(caller: VendorCaller, read: ReadFields): number | undefined {
  const handle = read.fields.organisation;
  let organisationId: number | undefined;
  if (typeof handle === 'string') {
    const organisation = caller.organisations.find((o) => o.handle.toLowerCase() === handle.toLowerCase());
    if (!organisation) throw new AppError('forbidden', `You may not post jobs for organisation ${handle}.`);
    organisationId = organisation.id;
  }
  const refused = (read.fields.sites ?? []).filter((siteId) => !caller.siteIds.includes(siteId));
  if (refused.length > 0) {
    throw new AppError('forbidden', `This client may not post to site ${refused.join(', ')}.`);
  }
  return organisationId;
}

async function checkReference(db: Db, draft: JobDraft, read: ReadFields, exceptJobId?: number) {
  if (await jobs.isReferenceTaken(db, draft.organisationId, draft.reference, exceptJobId)) {
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
export async function createJob(services: JobServices, anyCaller: Caller, body: Record<string, unknown>): Promise<StoredJob> {
  const { catalogue, fullText } = services;
  const caller = requireVendor(anyCaller);
  const read = readJobFields(body, 'create');
  const organisationId = authorise(caller, read);
  const { draft, errors } = resolveDraft(catalogue, read, organisationId);
  if (!draft) throw validationFailed(errors);
  const logo = await prepareLogoWrite(services.db, services.media, draft.logo);
  const now = nowIso();
  const stored = await runWrite(read, () =>
    services.transact(async (tx): Promise<StoredJob> => {
      const record = await draftToRecord(tx, catalogue, draft);
      const job = await jobs.insertJob(
        tx,
        { ...record, api_client_id: caller.apiClientId, created_by_user_id: caller.userId, created_at: now, updated_at: now },
        draft.siteIds,
      );
      const { credits, ...organisation } = await jobs.findPostingOrganisation(tx, draft.organisationId);
      if (credits !== null && !(await jobs.spendCredit(tx, organisation.id, now))) throw new AppError('insufficient_credits');
      await fullText.indexJobs(tx, [job.id]);
      const jobLogo = (await logo.write(tx, job.id, now)) ?? null;
      return { job, organisation, postcode: draft.postcode, sites: await jobs.findSites(tx, draft.siteIds), logo: jobLogo };
    }),
  );
  services.lists.clear();
  await logo.settle();
  return stored;
}

export async function updateJob(services: JobServices, anyCaller: Caller, id: number, body: Record<string, unknown>) {
  const { db, catalogue, fullText } = services;
  const caller = requireVendor(anyCaller);
  const existing = await getJob(services, caller, id);
  const read = readJobFields(body, 'update');
  const organisationId = authorise(caller, read);
  const { draft, errors } = resolveDraft(catalogue, read, organisationId, draftFromJob(existing));
  if (!draft) throw validationFailed(errors);
  if (read.fields.reference !== undefined || organisationId !== undefined) await checkReference(db, draft, read, id);
  const logo = await prepareLogoWrite(db, services.media, draft.logo);
  const now = nowIso();
  await runWrite(read, () =>
    services.transact(async (tx) => {
      const record = await draftToRecord(tx, catalogue, draft);
      await jobs.updateJob(tx, id, { ...record, updated_at: now });
      if (read.fields.sites !== undefined) await jobs.replaceJobSites(tx, id, draft.siteIds);
      await fullText.indexJobs(tx, [id]);
      await logo.write(tx, id, now);
    }),
  );
  services.lists.clear();
  await logo.settle();
  return getJob(services, caller, id);
}

export async function deleteJob(services: JobServices, caller: Caller, id: number): Promise<void> {
  const { db, fullText } = services;
  const stored = await jobs.findJobInOrganisations(db, id, callerOrganisationIds(requireVendor(caller)));
  if (!stored || stored.job.deleted_at !== null) {
    throw validationFailed({ job_id: ['Invalid job id.'] });
  }
  await services.transact(async (tx) => {
    await jobs.softDeleteJob(tx, id, nowIso());
    await fullText.indexJobs(tx, [id]);
  });
  services.lists.clear();
}
