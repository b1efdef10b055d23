import { sql } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { FullTextEngine, Near } from './engine.ts';
import type { TextQuery } from './text-query.ts';
import type { JobFacts } from './facts.ts';
import { scan, type Scan } from './fact-scan.ts';
import { hitsOf, TextHitsCache } from './text-hits.ts';
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

/** What ordering a search's jobs needs of each (src/search/sorts.ts). */
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
  /** The close date as a day number (src/search/facts.ts dayNumber). */
  readonly closeDay: number;
}

/** The first batch of matches a keyword search reads; each further batch is four times the last. */
const FIRST_BATCH = SEARCH_WINDOW + 1;

/**
 * A keyword search over its newest matches that pass its filters, at most
 * `window` of them: their total, facets and one page. The engine lists the
 * matches newest first with their ranks (kept in `cache` until the jobs
 * change, text-hits.ts); the filters are checked against the facts in
 * memory (facts.ts), so the store reads nothing of the jobs themselves. When
 * the filters leave fewer than the window of a batch, a larger batch is read.
 */
export async function searchNewestMatches(
  db: Executor,
  engine: FullTextEngine,
  facts: JobFacts,
  criteria: SearchCriteria & { text: TextQuery },
  page: { readonly limit: number; readonly offset: number },
  window = SEARCH_WINDOW,
  cache = new TextHitsCache(0),
): Promise<Scan> {
  const ranked = criteria.sort === 'relevance';
  const query = engine.matchHits(criteria.text, criteria.near, ranked);
  const key = JSON.stringify([criteria.text, criteria.near, ranked]);
  const read = async (limit: number) => hitsOf((await sql<HitRow>`${query} limit ${limit}`.execute(db)).rows, limit);
  for (let batch = Math.min(FIRST_BATCH, window + 1); ; batch *= 4) {
    const found = scan(facts, criteria, page, await cache.get(key, facts.version, batch, read), window);
    if (!found.wantsMore) return found;
  }
}

interface HitRow {
  text_hit_id: number;
  text_rank: number | null;
}

export interface FacetCounts {
  readonly countries: readonly { id: number; count: number }[];
  readonly categories: readonly { id: number; count: number }[];
  readonly types: readonly { id: number; count: number }[];
  readonly salaryBands: readonly { currencyId: number; band: number; count: number }[];
}
