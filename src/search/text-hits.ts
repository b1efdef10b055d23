/*
 * The matches of a keyword query, newest first, as the full-text engine
 * listed them: ids and ranks in typed arrays, kept per query until any job
 * changes. Ranking is most of a keyword search's cost (FTS5's bm25 takes
 * about two microseconds a match, a window five thousand of them), and the
 * words job seekers type repeat far more than the filters, places and pages
 * around them: each distinct query is ranked once, whatever it is combined
 * with, until the next write. The facts (facts.ts) count how many writes
 * they have read, and an entry is good for that count only.
 */

import { CacheLookups } from '../metrics/cache-lookups.ts';

/** The newest matches of one query: the first `count` of them, or all when `exhausted`. */
export interface TextHits {
  readonly ids: Int32Array;
  readonly ranks: Float64Array;
  readonly count: number;
  readonly exhausted: boolean;
}

interface Entry {
  readonly hits: TextHits;
  readonly version: number;
}

const BYTES_PER_HIT = 12;

export class TextHitsCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  readonly lookups = new CacheLookups();

  /** At most this many bytes of hits are kept, the least recently used going first. */
  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  /**
   * The hits of `key` good at `version` and holding at least `wanted` of
   * them (or all there are), from the cache or from `read`, which is asked
   * for that many.
   */
  async get(key: string, version: number, wanted: number, read: (limit: number) => Promise<TextHits>): Promise<TextHits> {
    const kept = this.entries.get(key);
    const usable = kept && kept.version === version && (kept.hits.exhausted || kept.hits.count >= wanted) ? kept : undefined;
    this.lookups.record(usable);
    if (usable) {
      // Used again: the most recent in the map's order.
      this.entries.delete(key);
      this.entries.set(key, usable);
      return usable.hits;
    }
    const hits = await read(wanted);
    this.put(key, { hits, version });
    return hits;
  }

  private put(key: string, entry: Entry): void {
    this.forget(key);
    const size = entry.hits.count * BYTES_PER_HIT;
    if (size > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += size;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.hits.count * BYTES_PER_HIT;
  }
}

/** Hits from rows the engine listed, a job listed twice in a row kept once with its better rank. */
export function hitsOf(rows: readonly { text_hit_id: number; text_rank: number | null }[], limit: number): TextHits {
  const ids = new Int32Array(rows.length);
  const ranks = new Float64Array(rows.length);
  let count = 0;
  for (const row of rows) {
    const id = Number(row.text_hit_id);
    const rank = Number(row.text_rank ?? 0);
    if (count > 0 && ids[count - 1] === id) {
      if (rank > (ranks[count - 1] as number)) ranks[count - 1] = rank;
      continue;
    }
    ids[count] = id;
    ranks[count] = rank;
    count += 1;
  }
  return { ids, ranks, count, exhausted: rows.length < limit };
}
