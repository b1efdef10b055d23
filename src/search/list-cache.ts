import type { JobFacts } from './facts.ts';
import { TextHitsCache } from './text-hits.ts';
import { ListCounts } from './list-counts.ts';

export interface ListCacheOptions {
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

/*
 * What lists without keywords compute, kept per distinct filter: counting a
 * large filtered set costs a scan of it, and reading and rendering a page of
 * 25 jobs is most of a list's time. A write in this process clears them;
 * writes in other processes clear them through the change stamp before the
 * next list (ListCaches), or, on a store without one, within the time to
 * live. An entry is kept from the moment it starts computing, so a clear also
 * drops an answer still being computed from data a write has since changed.
 */
export class ListCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(options: ListCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 1_000;
  }

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.entries.size >= this.maxEntries) this.evictExpiredOrOldest(now);
    const value = compute();
    this.entries.set(key, { value, expires: now + this.ttlMs });
    value.catch(() => this.entries.delete(key));
    return value;
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

/** A list page's jobs, rendered: the JSON of the `data` array's items, and how many. */
export interface RenderedPage {
  readonly data: Buffer;
  readonly count: number;
}

/**
 * What lists keep between requests: the facts every list and search counts
 * by (facts.ts), the matches of keyword queries (text-hits.ts), and the
 * rendered pages of lists without keywords. A write
 * in this process marks both stale; another process's write moves the
 * store's change stamp, which the next list reads.
 */
export class ListCaches {
  /** Few: a rendered page of 25 jobs is some 75 KB. */
  readonly pages = new ListCache<RenderedPage>({ maxEntries: 100 });
  /** The ranked matches of keyword queries, good while the facts' version holds. */
  readonly textHits = new TextHitsCache();
  /** The totals and facets of the filters listed, kept current as the facts change; none without facts. */
  readonly counts: ListCounts | null;
  private lastStamp: unknown;

  /**
   * `changeStamp` changes whenever another process has changed the jobs
   * (src/db/change-stamp.ts). Without it, lists may lag other processes'
   * writes by the pages' time to live, and the facts miss them.
   */
  constructor(
    private readonly changeStamp?: () => Promise<unknown>,
    private readonly facts?: JobFacts,
  ) {
    this.counts = facts ? new ListCounts(facts) : null;
    if (facts && this.counts) facts.listen(this.counts);
  }

  /** Brings what lists keep up to date with every write committed before the call; once per list or search. */
  async current(): Promise<void> {
    if (this.changeStamp) {
      const stamp = await this.changeStamp();
      if (stamp !== this.lastStamp) {
        this.lastStamp = stamp;
        this.jobsWritten();
      }
    }
    await this.facts?.current();
  }

  /** This process committed a write to jobs (or what a rendered job shows). */
  jobsWritten(): void {
    this.pages.clear();
    this.facts?.noteWrite();
  }
}
