import { randomBytes } from 'node:crypto';
import type { Db } from '../db/types.ts';
import type { Transact } from '../db/group-commit.ts';
import { AppError, validationFailed } from '../errors.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { requireVendor, type BoardCaller, type Caller } from '../auth/caller.ts';
import {
  appliableJobConditions, boardSiteOf, changeableJobCondition, readableApplicationCondition, requireOpenForApplications,
} from '../tenancy/visibility.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { ListCaches } from '../search/list-cache.ts';
import type { MediaStorage } from '../media/storage.ts';
import { findJob, type StoredJob } from '../jobs/repository.ts';
import { todayUtc } from '../jobs/service.ts';
import { enqueueDelivery, recordEvent } from '../deliveries/outbox.ts';
import { eraseKeptAnswers } from '../idempotency/repository.ts';
import { requestEntry, type Actor, type AuditEntry } from '../audit/trail.ts';
import { raiseCounts } from '../counters/repository.ts';
import { readApplicationChanges, readApplicationFields, type ApplicationInput } from './fields.ts';
import * as applications from './repository.ts';
import type { ApplicationFilters, ApplicationRow, StoredApplication } from './repository.ts';
import { presentApplication } from './presenter.ts';
import { CV_LINK_SECONDS, type CvLinks } from './cv-links.ts';

export interface ApplicationServices {
  readonly db: Db;
  readonly transact: Transact;
  readonly catalogue: Catalogue;
  /** Lists show number_applied: an application clears them as a job write does. */
  readonly lists: ListCaches;
  /** Where CVs are kept: a storage of their own, never the logos' (APPLICATION_FILES_DIR). */
  readonly files: MediaStorage;
  readonly cvLinks: CvLinks;
  readonly publicUrl: string;
  /** SMTP_URL is set: EMAIL jobs can take applications. */
  readonly sendsEmail: boolean;
  /** SIGNUP_WITHPOST sends the CV inline rather than as a link. */
  readonly cvInline: boolean;
  readonly retentionDays: number;
}

export type ApplyOutcome = { readonly redirectTo: string } | { readonly stored: StoredApplication };

function requireBoard(caller: Caller): BoardCaller {
  if (caller.kind !== 'board') throw new AppError('forbidden', 'Applications come through a board client; a vendor client may not apply.');
  return caller;
}

/* The application in a delivery is read by the employer's system, in UTC. */
const DELIVERY_ZONE = 'UTC';
const alreadyApplied = () => validationFailed({ email: ['You have already applied for this job.'] });
/** A CV's name: random, so it cannot be guessed, and never shared by two applications (a hash of identical CVs would be). */
const newCvKey = () => randomBytes(24).toString('hex');

/*
 * An application to a live job of the board's sites. REDIRECT stores
 * nothing and counts a click; the other types store the application, count
 * it on the job (number_applied, in the same transaction, so racing applies
 * add up) and announce it (application.created), and SIGNUP_WITHPOST and
 * EMAIL queue its delivery in that transaction too. One e-mail per job: the
 * unique index decides, with no read beforehand.
 */
export async function applyForJob(services: ApplicationServices, anyCaller: Caller, jobId: number, body: Record<string, unknown>, actor: Actor): Promise<ApplyOutcome> {
  const caller = requireBoard(anyCaller);
  const today = todayUtc();
  const stored = await findJob(services.db, jobId, appliableJobConditions(caller));
  if (!stored) throw new AppError('not_found');
  requireOpenForApplications(stored.job, today);
  const siteId = boardSiteOf(caller, stored.sites.map((site) => site.id)) as number;
  const applyType = services.catalogue.applyTypes.get(stored.job.apply_type_id)?.handle;
  const counterKey = { jobId, siteId, day: today };
  if (applyType === 'REDIRECT') {
    if (!stored.job.apply_url) throw new AppError('not_found');
    await services.transact((tx) => raiseCounts(tx, counterKey, { apply_clicks: 1 }));
    return { redirectTo: stored.job.apply_url };
  }
  if (applyType === 'EMAIL' && !services.sendsEmail) {
    throw new AppError('service_unavailable', '503 Service Unavailable: this server sends no e-mail (SMTP_URL is not set), so it cannot take applications for jobs that apply by e-mail.');
  }
  const input = readApplicationFields(body);
  const cvKey = input.cv ? newCvKey() : null;
  // Stored before the transaction, so the commit never waits on the file; a failed write removes it (no one else names it).
  if (input.cv && cvKey) await services.files.put(cvKey, input.cv.data);
  let application: StoredApplication;
  try {
    application = await services.transact(async (tx, _lock, atCommit) => {
      const now = new Date().toISOString();
      const row = await applications.insertApplication(tx, rowOf(input, stored, caller, siteId, cvKey, now));
      await applications.countApplication(tx, jobId);
      await raiseCounts(tx, counterKey, { applications: 1 });
      const made = { application: row, site: { id: siteId, handle: await applications.findSiteHandle(tx, siteId) } };
      await recordEvent(tx, {
        organisationId: stored.organisation.id,
        type: 'application.created',
        data: { application_id: row.id, job_id: jobId, status: row.status },
      });
      if (applyType === 'SIGNUP_WITHPOST') await enqueuePost(services, tx, stored, made, input);
      if (applyType === 'EMAIL') await enqueueEmail(tx, stored, made);
      atCommit.audit(requestEntry(actor, stored.organisation.id, 'application.submit', { type: 'application', id: row.id }));
      return made;
    });
  } catch (error) {
    if (cvKey) await services.files.delete(cvKey);
    if (isUniqueViolation(error)) throw alreadyApplied();
    throw error;
  }
  services.lists.jobsWritten();
  return { stored: application };
}

function rowOf(input: ApplicationInput, stored: StoredJob, caller: BoardCaller, siteId: number, cvKey: string | null, now: string): applications.NewApplication {
  return {
    job_id: stored.job.id,
    site_id: siteId,
    api_client_id: caller.apiClientId,
    first_name: input.first_name,
    last_name: input.last_name,
    email: input.email,
    email_key: (input.email as string).toLowerCase(),
    phone: input.phone,
    cover_letter: input.cover_letter,
    notes: null,
    cv_storage_key: cvKey,
    cv_filename: input.cv?.filename ?? null,
    cv_content_type: input.cv?.type.contentType ?? null,
    cv_size: input.cv?.data.length ?? null,
    source: input.source,
    consented_at: now,
    created_at: now,
    updated_at: now,
    erased_at: null,
  };
}

type EnqueueTx = Parameters<typeof enqueueDelivery>[0];

/* The employer's URL gets the application as JSON, with a CV link that expires (or, by choice, the CV itself). */
async function enqueuePost(services: ApplicationServices, tx: EnqueueTx, stored: StoredJob, made: StoredApplication, input: ApplicationInput) {
  const { application } = made;
  const { cv: _link, ...resource } = presentApplication(made, DELIVERY_ZONE, services.publicUrl);
  let cv: Record<string, unknown> | null = null;
  if (input.cv) {
    const expiresAt = Math.floor(Date.now() / 1000) + CV_LINK_SECONDS;
    const file = { filename: input.cv.filename, content_type: input.cv.type.contentType, size: input.cv.data.length };
    cv = services.cvInline
      ? { ...file, content: input.cv.data.toString('base64') }
      : { ...file, url: services.cvLinks.linkFor(application.id, expiresAt), expires_at: new Date(expiresAt * 1000).toISOString() };
  }
  await enqueueDelivery(tx, {
    organisationId: stored.organisation.id,
    kind: 'application_post',
    applicationId: application.id,
    target: stored.job.apply_url as string,
    payload: { application: { ...resource, cv }, job: { id: stored.job.id, reference: stored.job.reference, title: stored.job.title } },
  });
}

/* The sender attaches the CV from the applications' storage by its key. */
async function enqueueEmail(tx: EnqueueTx, stored: StoredJob, made: StoredApplication) {
  const { application } = made;
  const name = `${application.first_name} ${application.last_name}`;
  const lines = [
    `${name} has applied for ${stored.job.title} (reference ${stored.job.reference}) through ${made.site.handle}.`,
    '',
    `E-mail: ${application.email}`,
    ...(application.phone ? [`Phone: ${application.phone}`] : []),
    ...(application.source ? [`Source: ${application.source}`] : []),
    ...(application.cover_letter ? ['', 'Cover letter:', '', application.cover_letter] : []),
  ];
  await enqueueDelivery(tx, {
    organisationId: stored.organisation.id,
    kind: 'application_email',
    applicationId: application.id,
    target: stored.job.apply_url as string,
    payload: {
      subject: `Application for ${stored.job.title} (${stored.job.reference}): ${name}`,
      text: lines.join('\n'),
      replyTo: application.email as string,
      attachment: application.cv_storage_key === null
        ? null
        : {
          storageKey: application.cv_storage_key,
          filename: application.cv_filename as string,
          contentType: application.cv_content_type as string,
        },
    },
  });
}

/** A job of the vendor's (deleted or not): 404 for one it may not see. */
async function requireVendorJob(services: ApplicationServices, caller: Caller, jobId: number): Promise<StoredJob> {
  const job = await findJob(services.db, jobId, [changeableJobCondition(requireVendor(caller))]);
  if (!job) throw new AppError('not_found');
  return job;
}

export async function listJobApplications(
  services: ApplicationServices,
  caller: Caller,
  jobId: number,
  filters: ApplicationFilters,
  page: { offset: number; size: number },
) {
  await requireVendorJob(services, caller, jobId);
  return applications.listApplications(services.db, jobId, filters, page);
}

/** The vendor's application: 404 for another organisation's (as for one that does not exist), 410 once erased. */
export async function getApplication(services: ApplicationServices, caller: Caller, id: number): Promise<StoredApplication> {
  const found = await applications.findApplication(services.db, id, readableApplicationCondition(requireVendor(caller)));
  if (!found) throw new AppError('not_found');
  if (found.application.erased_at !== null) throw erasedGone();
  return found;
}

const erasedGone = () => new AppError('gone', '410 Gone: the application was erased.');

export async function readCv(services: ApplicationServices, caller: Caller, id: number) {
  const { application } = await getApplication(services, caller, id);
  return cvOf(services, application);
}

async function cvOf(services: ApplicationServices, application: ApplicationRow) {
  if (application.cv_storage_key === null) throw new AppError('not_found', '404 Not Found: the application has no CV.');
  const file = await services.files.stream(application.cv_storage_key);
  if (!file) throw new AppError('not_found', '404 Not Found: the application has no CV.');
  return { ...file, filename: application.cv_filename ?? 'cv', contentType: application.cv_content_type ?? 'application/octet-stream' };
}

/** The CV behind a signed link: 404 for a signature not ours, 410 once the link expired or the application was erased. */
export async function readCvByLink(services: ApplicationServices, id: number, expiresAt: number, signature: string) {
  if (!services.cvLinks.verify(id, expiresAt, signature)) throw new AppError('not_found');
  if (expiresAt * 1000 < Date.now()) throw new AppError('gone', '410 Gone: the link has expired.');
  const application = await services.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
  if (!application || application.erased_at !== null) throw erasedGone();
  return cvOf(services, application);
}

/** Status and notes; records application.updated. Updates of one application take turns, each on what the last left. */
export async function updateApplication(services: ApplicationServices, caller: Caller, id: number, body: Record<string, unknown>, actor: Actor) {
  const changes = readApplicationChanges(body);
  const { site, application: before } = await getApplication(services, caller, id);
  const organisationId = await organisationOfJob(services, before.job_id);
  const row = await services.transact(async (tx, _lock, atCommit) => {
    const updated = await applications.updateApplication(tx, id, { ...changes, updated_at: new Date().toISOString() });
    if (!updated) throw erasedGone();
    atCommit.audit(requestEntry(actor, organisationId, 'application.update', { type: 'application', id }));
    await recordEvent(tx, {
      organisationId,
      type: 'application.updated',
      data: { application_id: id, job_id: updated.job_id, status: updated.status },
    });
    return updated;
  });
  return { application: row, site };
}

async function organisationOfJob(services: ApplicationServices, jobId: number): Promise<number> {
  return (await services.db.selectFrom('jobs').select('organisation_id').where('id', '=', jobId).executeTakeFirstOrThrow()).organisation_id;
}

/** Erasure at the vendor's request: 404 as a read, 410 when already erased (also for the loser of two racing deletes). */
export async function deleteApplication(services: ApplicationServices, caller: Caller, id: number, actor: Actor): Promise<void> {
  const { application } = await getApplication(services, caller, id);
  const entry = requestEntry(actor, await organisationOfJob(services, application.job_id), 'application.erase', { type: 'application', id });
  if (!(await eraseApplication(services, id, entry))) throw erasedGone();
}

/*
 * Every personal field nulled and the deliveries forgotten in one
 * transaction, then the CV file removed: its random name is no other
 * application's. Returns false when the application was already erased.
 * A vendor's erasure is audited; the retention sweep's, the server's own
 * policy rather than anyone's write, is not.
 */
export async function eraseApplication(services: ApplicationServices, id: number, audited?: AuditEntry): Promise<boolean> {
  const erased = await services.transact(async (tx, _lock, atCommit) => {
    const result = await applications.eraseApplication(tx, id, new Date().toISOString());
    if (result) await applications.forgetDeliveriesOf(tx, [id]);
    // The answers kept for Idempotency-Key retries of its apply and updates hold the candidate's details too.
    if (result) await eraseKeptAnswers(tx, { type: 'application', id });
    if (result && audited) atCommit.audit(audited);
    return result;
  });
  if (!erased) return false;
  if (erased.cvKey !== null) await services.files.delete(erased.cvKey);
  return true;
}
