import { sql } from 'kysely';
import type { Executor, Tx } from '../db/types.ts';

/*
 * Each job's counts on each site by UTC day (migration 0007): raised by one
 * upsert, so concurrent raises add up, and never read back before writing.
 */
export interface Counts {
  readonly views: number;
  readonly apply_clicks: number;
  readonly applications: number;
}

export const NO_COUNTS: Counts = { views: 0, apply_clicks: 0, applications: 0 };

export interface CounterKey {
  readonly jobId: number;
  readonly siteId: number;
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
}

/*
 * Adds to a day's counts. Written as INSERT … SELECT … WHERE the job
 * exists, so that a count for a job purged meanwhile is dropped rather than
 * failing the batch it is part of (its foreign key).
 */
export async function raiseCounts(db: Executor | Tx, key: CounterKey, by: Partial<Counts>): Promise<void> {
  const views = by.views ?? 0;
  const clicks = by.apply_clicks ?? 0;
  const applications = by.applications ?? 0;
  await sql`insert into job_counters (job_id, site_id, day, views, apply_clicks, applications)
    select ${key.jobId}, ${key.siteId}, ${key.day}, ${views}, ${clicks}, ${applications}
    where exists (select 1 from jobs where jobs.id = ${key.jobId})
    on conflict (job_id, site_id, day) do update set
      views = job_counters.views + excluded.views,
      apply_clicks = job_counters.apply_clicks + excluded.apply_clicks,
      applications = job_counters.applications + excluded.applications`.execute(db);
}

const numbers = (row: { views: unknown; apply_clicks: unknown; applications: unknown } | undefined): Counts => ({
  views: Number(row?.views ?? 0),
  apply_clicks: Number(row?.apply_clicks ?? 0),
  applications: Number(row?.applications ?? 0),
});

/** A job's counts over every site and day, as expressions over `jobs` for a read of the job to select beside it (totalsFrom reads them). */
export const JOB_TOTALS = {
  total_views: sql`(select sum(job_counters.views) from job_counters where job_counters.job_id = jobs.id)`,
  total_apply_clicks: sql`(select sum(job_counters.apply_clicks) from job_counters where job_counters.job_id = jobs.id)`,
  total_applications: sql`(select sum(job_counters.applications) from job_counters where job_counters.job_id = jobs.id)`,
};

export const totalsFrom = (row: Record<keyof typeof JOB_TOTALS, unknown>): Counts =>
  numbers({ views: row.total_views, apply_clicks: row.total_apply_clicks, applications: row.total_applications });

/** A job's counts over every site and day. */
export async function findJobTotals(db: Executor, jobId: number): Promise<Counts> {
  const row = await db
    .selectFrom('job_counters')
    .select((eb) => [eb.fn.sum<number>('views').as('views'), eb.fn.sum<number>('apply_clicks').as('apply_clicks'), eb.fn.sum<number>('applications').as('applications')])
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return numbers(row);
}

export interface DailyCounts extends Counts {
  readonly day: string;
  readonly site: { id: number; handle: string };
}

/** A job's counts by day and site from `from` to `to` inclusive, oldest day first. */
export async function findDailyCounts(db: Executor, jobId: number, from: string, to: string): Promise<DailyCounts[]> {
  const rows = await db
    .selectFrom('job_counters')
    .innerJoin('sites', 'sites.id', 'job_counters.site_id')
    .select(['job_counters.day', 'sites.id', 'sites.handle', 'job_counters.views', 'job_counters.apply_clicks', 'job_counters.applications'])
    .where('job_counters.job_id', '=', jobId)
    .where('job_counters.day', '>=', from)
    .where('job_counters.day', '<=', to)
    .orderBy('job_counters.day')
    .orderBy('sites.id')
    .execute();
  return rows.map((row) => ({ day: row.day, site: { id: row.id, handle: row.handle }, ...numbers(row) }));
}
