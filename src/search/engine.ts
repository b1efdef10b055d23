import type { RawBuilder, SqlBool } from 'kysely';
import type { DialectName } from '../db/dialect.ts';
import type { Executor } from '../db/types.ts';
import type { TextQuery } from './text-query.ts';
import { sqliteFullText } from './engines/sqlite-fts5.ts';
import { postgresFullText } from './engines/postgres-tsvector.ts';

/**
 * How one store finds jobs by keyword: a condition on `jobs.id`, and a rank
 * (higher is better). A rank may read `text_hits`, a table of scores the
 * engine defines in `rankedHits` for the query to compute once and join.
 */
export interface TextMatch {
  readonly condition: RawBuilder<SqlBool>;
  readonly rank: RawBuilder<number>;
  /** `text_hits(text_hit_id, text_rank)` as a common table expression, or null. */
  readonly rankedHits: RawBuilder<unknown> | null;
}

/*
 * The search seam. Everything that differs between full-text engines sits
 * behind this interface; filters, distance, facets and paging are plain SQL
 * shared by both stores. A dedicated engine (Elasticsearch, OpenSearch) would
 * be a third implementation whose `match` returns ids from its own index.
 */
export interface FullTextEngine {
  /** Brings the index of these jobs up to date; called inside the transaction of the write. */
  indexJobs(db: Executor, jobIds: readonly number[]): Promise<void>;
  /** Rebuilds the whole index, after a bulk load or a store copy. */
  rebuildIndex(db: Executor): Promise<void>;
  match(text: TextQuery): TextMatch;
}

export function fullTextEngineFor(dialect: DialectName): FullTextEngine {
  return dialect === 'sqlite' ? sqliteFullText : postgresFullText;
}
