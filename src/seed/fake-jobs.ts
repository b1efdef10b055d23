import { randomInt } from 'node:crypto';
import type { StoreDialect } from '../db/dialects/index.ts';
import type { Db } from '../db/types.ts';
import { loadCatalogue, type Catalogue } from '../lookups/catalogue.ts';
import type { JobDraft } from '../jobs/schema.ts';
import { draftToRecord } from '../jobs/record.ts';
import { isReferenceTaken, type NewJob } from '../jobs/repository.ts';
import { todayUtc } from '../jobs/service.ts';
import { findOrganisationByIdOrHandle } from '../tenancy/repository.ts';
import { fakeJobDrafter, type SeedTarget } from './drafts.ts';
import { findFirstMemberId, findFirstOrganisation, findFirstVendorClient, insertJobRows } from './repository.ts';

/*
 * Plausible jobs in bulk, for demonstrations and benchmarks. The HTTP service
 * is bypassed for speed, but each row is built by draftToRecord, as the
 * service builds it, so every derived value is the same.
 */

/** The seeding cannot start: the message is for the operator. */
export class SeedError extends Error {
  override name = 'SeedError';
}

export type Indexing = 'per-batch' | 'at-end';

export interface FakeJobsOptions {
  readonly jobs: number;
  /** The organisation's handle or id; the first organisation when absent. */
  readonly organisation?: string;
  /** The same seed gives the same jobs (relative to `today`); a random one when absent. */
  readonly seed?: number;
  /** Jobs per transaction. */
  readonly batchSize?: number;
  /** When the full-text index catches up: after each batch, or rebuilt once at the end. */
  readonly indexing?: Indexing;
  readonly today?: string;
  /** Told each step, for a progress line. */
  readonly onProgress?: (line: string) => void;
}

export interface SeedOutcome {
  readonly organisation: string;
  readonly seed: number;
  readonly jobs: number;
  readonly siteIds: readonly number[];
  readonly indexing: Indexing;
  /** Seconds in all. */
  readonly seconds: number;
  /** Seconds loading towns and look-ups, inserting (with per-batch indexing), rebuilding the index at the end, refreshing statistics. */
  readonly phaseSeconds: { setup: number; insert: number; index: number; statistics: number };
}

const DEFAULT_BATCH_SIZE = 5000;
/*
 * Per batch on both stores, measured on 1,000,000 jobs (bench/RESULTS.md):
 * SQLite 334 s against 483 s with one rebuild at the end; PostgreSQL 298 s
 * against 607 s, its rebuild being one UPDATE of every row on one core.
 * Per batch also leaves other organisations' jobs alone.
 */
const DEFAULT_INDEXING: Indexing = 'per-batch';

/** Runs `work` over 1..total in batches, `concurrency` batches at a time, stopping at the first failure. */
async function inTurns(total: number, batchSize: number, concurrency: number, work: (first: number, last: number) => Promise<void>) {
  let next = 1;
  let failed = false;
  const worker = async () => {
    while (next <= total && !failed) {
      const first = next;
      next = Math.min(total, first + batchSize - 1) + 1;
      try {
        await work(first, next - 1);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function findSeedTarget(db: Db, organisation: string | undefined): Promise<SeedTarget> {
  const found = organisation === undefined ? await findFirstOrganisation(db) : await findOrganisationByIdOrHandle(db, organisation);
  if (!found) {
    throw new SeedError(organisation === undefined ? 'there is no organisation to seed; create one first' : `organisation "${organisation}" does not exist`);
  }
  const userId = await findFirstMemberId(db, found.id);
  if (userId === undefined) throw new SeedError(`organisation ${found.handle} has no user to post its jobs`);
  const client = await findFirstVendorClient(db);
  if (!client) throw new SeedError('there is no vendor client to post jobs through');
  if (client.siteIds.length === 0) throw new SeedError(`vendor client ${client.id} may post to no site`);
  return { organisation: found, userId, apiClientId: client.id, siteIds: client.siteIds };
}

/** Seconds since the last lap, and since the start. */
function stopwatch() {
  const started = performance.now();
  let last = started;
  return {
    lap() {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return seconds;
    },
    total: () => (performance.now() - started) / 1000,
  };
}

interface BatchPlan {
  readonly jobs: number;
  readonly batchSize: number;
  readonly indexing: Indexing;
  readonly catalogue: Catalogue;
  readonly target: SeedTarget;
  readonly draft: (n: number) => JobDraft;
  readonly say: (line: string) => void;
}

/** Builds each batch's rows as the service would and inserts them in one transaction, with their sites and index entries. */
async function insertFakeJobs(db: Db, dialect: StoreDialect, plan: BatchPlan): Promise<void> {
  const { catalogue, target } = plan;
  const clock = stopwatch();
  let done = 0;
  let reported = 0;
  await inTurns(plan.jobs, plan.batchSize, dialect.concurrentBulkWrites, async (first, last) => {
    // Drawn before the first await, so batches take their turns at the generator in order.
    const drafts: JobDraft[] = [];
    for (let n = first; n <= last; n += 1) drafts.push(plan.draft(n));
    const now = new Date().toISOString();
    await db.transaction().execute(async (tx) => {
      const rows: NewJob[] = [];
      for (const draft of drafts) {
        const record = await draftToRecord(tx, catalogue, draft);
        rows.push({ ...record, api_client_id: target.apiClientId, created_by_user_id: target.userId, created_at: now, updated_at: now });
      }
      const ids = await insertJobRows(tx, dialect.maxBindParameters, rows, target.siteIds);
      if (plan.indexing === 'per-batch') await dialect.fullText.indexJobs(tx, ids);
    });
    done += drafts.length;
    if (done === plan.jobs || done - reported >= plan.jobs / 10) {
      plan.say(`${done} of ${plan.jobs} jobs, ${Math.round(done / clock.total())} jobs/s`);
      reported = done;
    }
  });
}

/** Seeds `options.jobs` fake jobs into one organisation, in batches, and brings the full-text index up to date. */
export async function seedFakeJobs(db: Db, dialect: StoreDialect, options: FakeJobsOptions): Promise<SeedOutcome> {
  if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new SeedError('the number of jobs must be a whole number of 1 or more');
  const say = options.onProgress ?? (() => undefined);
  const seed = options.seed ?? randomInt(1, 2 ** 31);
  const indexing = options.indexing ?? DEFAULT_INDEXING;
  const clock = stopwatch();
  const target = await findSeedTarget(db, options.organisation);
  if (await isReferenceTaken(db, target.organisation.id, `FAKE-${seed}-1`)) {
    throw new SeedError(`organisation ${target.organisation.handle} already has the jobs of seed ${seed}; choose another --seed`);
  }
  const catalogue = await loadCatalogue(db);
  const draft = fakeJobDrafter(catalogue, target, seed, options.today ?? todayUtc());
  const setup = clock.lap();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  await insertFakeJobs(db, dialect, { jobs: options.jobs, batchSize, indexing, catalogue, target, draft, say });
  const insert = clock.lap();
  if (indexing === 'at-end') {
    say('rebuilding the full-text index');
    await dialect.fullText.rebuildIndex(db);
  }
  const index = clock.lap();
  say('refreshing the planner statistics');
  await dialect.refreshStatistics(db);
  const statistics = clock.lap();
  return {
    organisation: target.organisation.handle,
    seed,
    jobs: options.jobs,
    siteIds: target.siteIds,
    indexing,
    seconds: clock.total(),
    phaseSeconds: { setup, insert, index, statistics },
  };
}

/** One line for the operator: how many, where, and how fast. */
export function describeSeeding(outcome: SeedOutcome): string {
  const rate = Math.round(outcome.jobs / outcome.phaseSeconds.insert);
  return `seeded ${outcome.jobs} jobs into ${outcome.organisation} (seed ${outcome.seed}, sites ${outcome.siteIds.join(', ')}) ` +
    `in ${outcome.seconds.toFixed(1)} s, inserting ${rate} jobs/s`;
}
