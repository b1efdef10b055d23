import { sql } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { FullTextEngine, Near } from './engine.ts';
import type { TextQuery } from './text-query.ts';
import type { JobFacts } from './facts.ts';
import { testOf, windowJobOf, type JobTest } from './fact-scan.ts';
import type { JobScope, StatusFilter } from '../tenancy/visibility.ts';

/** Everything a job search filters, orders and pages by, resolved to ids. */
export interface SearchCriteria {
  /** Whose jobs the caller sees (src/tenancy/visibility.ts). */
  readonly visibleTo: JobScope;
  readonly text: TextQuery | null;
  readonly near: Near | null;
  readonly countryId?: number;
  readonly categoryIds?: readonly number[];
  readonly typeIds?: readonly number[];
  readonly organisationId?: number;
  readonly siteId?: number;
  readonly salary?: { min?: number; max?: number; currencyId: number };
  readonly openedSince?: string;
  readonly status: StatusFilter;
  readonly sort: 'relevance' | 'newest' | 'closing' | 'distance' | 'salary';
  /** Today's date in UTC, for the job status. */
  readonly today: string;
}

/**
 * A keyword search reads at most this many matches, the newest that pass
 * its filters; it ranks, orders, counts and facets them in memory. A common
 * word matches a tenth of a million-job board, and scoring and counting all
 * of them costs seconds. Google's job search pages no further than 5,000
 * results either, and Elasticsearch counts exactly only up to 10,000.
 */
export const SEARCH_WINDOW = 5_000;

/** What a keyword search needs of one matching job to order, page and count it. */
export interface WindowJob {
  readonly id: number;
  readonly rank: number;
  readonly distanceKm: number | null;
  readonly countryId: number;
  readonly categoryId: number;
  readonly typeId: number;
  readonly currencyId: number;
  /** Annual pay, the top of the range (or its only end). */
  readonly annualHigh: number | null;
  readonly closeDate: string;
}

export interface SearchWindow {
  readonly jobs: readonly WindowJob[];
  /** False when there were more matches than the window holds. */
  readonly complete: boolean;
}

/** The first batch of matches a keyword search reads; each further batch is four times the last. */
const FIRST_BATCH = SEARCH_WINDOW + 1;

/**
 * The newest matches of a keyword search that pass its filters, at most
 * `size` of them. The engine lists the matches newest first with their
 * ranks; the filters are checked against the facts in memory (facts.ts), so
 * the store reads nothing of the jobs themselves. When the filters leave
 * fewer than the window of a batch, a larger batch is read.
 */
export async function findNewestMatches(
  db: Executor,
  engine: FullTextEngine,
  facts: JobFacts,
  criteria: SearchCriteria & { text: TextQuery },
  size = SEARCH_WINDOW,
): Promise<SearchWindow> {
  const hits = engine.matchHits(criteria.text, criteria.near);
  const test = testOf(facts, criteria);
  for (let batch = Math.min(FIRST_BATCH, size + 1); ; batch *= 4) {
    const result = await sql<HitRow>`${hits} limit ${batch}`.execute(db);
    const jobs = passingNewest(facts, criteria, test, result.rows, size + 1);
    const exhausted = result.rows.length < batch;
    if (jobs.length > size) return { jobs: jobs.slice(0, size), complete: false };
    if (exhausted) return { jobs, complete: true };
  }
}

interface HitRow {
  text_hit_id: number;
  text_rank: number | null;
}

/** Hits newest first, a job listed twice (adjacent) kept once with its better rank, those passing the filters, at most `limit`. */
function passingNewest(facts: JobFacts, criteria: SearchCriteria, test: JobTest, rows: readonly HitRow[], limit: number): WindowJob[] {
  const jobs: WindowJob[] = [];
  let previousId = 0;
  for (const row of rows) {
    const id = Number(row.text_hit_id);
    const rank = Number(row.text_rank ?? 0);
    if (id === previousId) {
      const previous = jobs[jobs.length - 1];
      if (previous?.id === id && rank > previous.rank) jobs[jobs.length - 1] = { ...previous, rank };
      continue;
    }
    previousId = id;
    if (!test(id)) continue;
    if (jobs.length === limit) break;
    jobs.push(windowJobOf(facts, criteria, id, rank));
  }
  return jobs;
}

export interface FacetCounts {
  readonly countries: readonly { id: number; count: number }[];
  readonly categories: readonly { id: number; count: number }[];
  readonly types: readonly { id: number; count: number }[];
  readonly salaryBands: readonly { currencyId: number; band: number; count: number }[];
}
