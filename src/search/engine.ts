import type { RawBuilder, SqlBool } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { TextQuery } from './text-query.ts';

/**
 * How one store finds jobs by keyword, newest first: a FROM clause that
 * yields `jobs` (joined to whatever the engine needs), a condition on it, a
 * rank (higher is better), and the ORDER BY that puts matches newest first,
 * or null where the FROM clause already streams them in that order. A search
 * reads only its newest matches (see repository.ts), so an engine that lists
 * them in order lets it stop early.
 */
export interface TextMatch {
  readonly from: RawBuilder<unknown>;
  readonly condition: RawBuilder<SqlBool> | null;
  readonly rank: RawBuilder<number>;
  readonly newestFirst: RawBuilder<unknown> | null;
}

/** A circle a search is limited to. */
export interface Near {
  readonly lat: number;
  readonly lon: number;
  readonly radiusKm: number;
}

/*
 * The search seam. Everything that differs between full-text engines sits
 * behind this interface; filters, distance, facets and paging are plain SQL
 * shared by both stores. A dedicated engine (Elasticsearch, OpenSearch) would
 * be a third implementation whose `match` returns ids from its own index.
 * Each store's dialect names its engine (`StoreDialect.fullText`).
 */
export interface FullTextEngine {
  /** Brings the index of these jobs up to date; called inside the transaction of the write. */
  indexJobs(db: Executor, jobIds: readonly number[]): Promise<void>;
  /** Rebuilds the whole index, after a bulk load or a store copy. */
  rebuildIndex(db: Executor): Promise<void>;
  /**
   * The ids of the jobs matching the keywords, newest first, as
   * `text_hit_id` with their rank (higher is better) as `text_rank`; a job
   * may be listed twice in a row (the better rank counts). Deleted jobs may
   * be among them: the caller's filters decide. `near` lets an engine narrow
   * them by place too. Unless `ranked`, every rank is 0: ranking is most of
   * the cost, and only the relevance order reads it.
   */
  matchHits(text: TextQuery, near: Near | null, ranked: boolean): RawBuilder<unknown>;
  /**
   * For suggestions: jobs whose titles may start with these words (the last
   * as a prefix), newest first. A superset is fine, the caller's title range
   * decides; an engine whose store reads that range cheaply may match all
   * jobs. The rank is of no use.
   */
  matchTitleWords(words: readonly string[], lastIsPrefix: boolean): TextMatch;
}
