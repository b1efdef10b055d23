import type { Db, NoticeKind } from '../db/types.ts';
import { jobStatus } from '../tenancy/visibility.ts';
import { recordEvent } from './outbox.ts';

/*
 * job.expiring and job.expired are not changes anyone makes, so a periodic
 * round records them: job.expiring once a live job's close date is within a
 * webhook's expiring_days, job.expired the day after its close date. Each is
 * recorded once per job, close date and webhook (job_notices' key, which
 * concurrent rounds on several workers also meet), so a job whose close date
 * moves is due a new notice. job.expired is for jobs that closed since the
 * webhook was made: a new webhook is not told of every job that ever closed.
 */

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const MAX_NOTICES_PER_ROUND = 500;

export async function recordNotices(db: Db, now: Date): Promise<number> {
  const today = now.toISOString().slice(0, 10);
  const webhooks = await db.selectFrom('webhooks').select(['id', 'organisation_id', 'events', 'expiring_days', 'created_at']).where('enabled', '=', 1).execute();
  let recorded = 0;
  for (const webhook of webhooks) {
    const types = new Set(JSON.parse(webhook.events) as string[]);
    if (types.has('job.expiring')) recorded += await recordDue(db, webhook, 'expiring', today, now);
    if (types.has('job.expired')) recorded += await recordDue(db, webhook, 'expired', today, now);
  }
  return recorded;
}

interface NoticeWebhook {
  readonly id: number;
  readonly organisation_id: number;
  readonly expiring_days: number;
  readonly created_at: string;
}

async function recordDue(db: Db, webhook: NoticeWebhook, kind: NoticeKind, today: string, now: Date): Promise<number> {
  let query = db
    .selectFrom('jobs')
    .select(['id', 'reference', 'open_date', 'close_date', 'deleted_at'])
    .where('organisation_id', '=', webhook.organisation_id)
    .where('deleted_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('job_notices').select('job_id')
        .whereRef('job_notices.job_id', '=', 'jobs.id')
        .whereRef('job_notices.close_date', '=', 'jobs.close_date')
        .where('job_notices.kind', '=', kind)
        .where('job_notices.webhook_id', '=', webhook.id))),
    );
  query = kind === 'expiring'
    ? query.where('open_date', '<=', today).where('close_date', '>=', today).where('close_date', '<=', addDays(today, webhook.expiring_days))
    : query.where('close_date', '<', today).where('close_date', '>=', addDays(webhook.created_at.slice(0, 10), -1));
  const jobs = await query.orderBy('id').limit(MAX_NOTICES_PER_ROUND).execute();
  let recorded = 0;
  for (const job of jobs) {
    const fresh = await db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('job_notices')
        .values({ job_id: job.id, kind, close_date: job.close_date, webhook_id: webhook.id, created_at: now.toISOString() })
        .onConflict((conflict) => conflict.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await recordEvent(tx, {
        organisationId: webhook.organisation_id,
        type: kind === 'expiring' ? 'job.expiring' : 'job.expired',
        data: { job_id: job.id, reference: job.reference, status: jobStatus(job, today), close_date: job.close_date },
        webhookId: webhook.id,
      });
      return true;
    });
    if (fresh) recorded += 1;
  }
  return recorded;
}
