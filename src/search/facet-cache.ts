import type { FacetCounts } from './repository.ts';

/** What a search without keywords counts over its whole filtered set: how many, and by facet. */
export interface FilterCounts {
  readonly total: number;
  readonly facets: FacetCounts;
}

export interface FacetCacheOptions {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  /**
   * A value that changes whenever another process has changed the jobs
   * (src/db/change-stamp.ts); read before each use, a change empties the
   * cache. Without it, counts may lag other processes' writes by the TTL.
   */
  readonly changeStamp?: () => Promise<unknown>;
}

/*
 * Counting a large filtered set costs a scan of it; the page itself does
 * not. Counts are kept per distinct filter, so that paging and repeated
 * lists do not scan again. A write in this process clears them; writes in
 * other processes clear them through the change stamp, or, on a store
 * without one, within the time to live. The jobs of each page are always
 * read fresh.
 */
export class FacetCache {
  private readonly entries = new Map<string, { counts: Promise<FilterCounts>; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly changeStamp: (() => Promise<unknown>) | undefined;
  private lastStamp: unknown;

  constructor(options: FacetCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1_000;
    this.changeStamp = options.changeStamp;
  }

  async get(key: string, count: () => Promise<FilterCounts>): Promise<FilterCounts> {
    if (this.changeStamp) {
      const stamp = await this.changeStamp();
      if (stamp !== this.lastStamp) {
        this.entries.clear();
        this.lastStamp = stamp;
      }
    }
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.counts;
    if (this.entries.size >= this.maxEntries) this.evictExpiredOrOldest(now);
    const counts = count();
    this.entries.set(key, { counts, expires: now + this.ttlMs });
    counts.catch(() => this.entries.delete(key));
    return counts;
  }

  clear(): void {
    this.entries.clear();
  }

  private evictExpiredOrOldest(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
    const oldest = this.entries.keys().next();
    if (this.entries.size >= this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
  }
}
