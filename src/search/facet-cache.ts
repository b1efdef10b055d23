import type { FacetCounts } from './repository.ts';

/*
 * Facet counts over a large set cost a scan of it; the list itself does not.
 * Counts are kept for a few seconds per distinct filter, so that paging and
 * repeated searches do not scan again. They may lag writes made in other
 * processes by at most the time to live; a write in this process clears them.
 * The jobs and the total of each page are always exact.
 */
export class FacetCache {
  private readonly entries = new Map<string, { counts: Promise<FacetCounts>; expires: number }>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 1_000,
  ) {}

  get(key: string, count: () => Promise<FacetCounts>): Promise<FacetCounts> {
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
