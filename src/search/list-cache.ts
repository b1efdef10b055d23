import type { JobFacts } from './facts.ts';
import { TextHitsCache } from './text-hits.ts';
import { ListCounts } from './list-counts.ts';

/** A list page's jobs, rendered: the JSON of the `data` array's items, comma-separated, in parts to be written once; and how many. */
export interface RenderedPage {
  readonly data: readonly Buffer[];
  readonly count: number;
}

/**
 * What lists keep between requests: the facts every list and search counts
 * by (facts.ts), with what is derived from them: the matches of keyword
 * queries (text-hits.ts), the counts of filters (list-counts.ts) and the
 * rendered jobs of pages (src/jobs/list-pages.ts). A write in this process
 * marks them stale; another process's write moves the store's change stamp,
 * which the next list reads.
 */
export class ListCaches {
  /** The ranked matches of keyword queries, good while the facts' version holds. */
  readonly textHits = new TextHitsCache();
  /** The totals and facets of the filters listed, kept current as the facts change. */
  readonly counts: ListCounts;
  private lastStamp: unknown;

  /**
   * `changeStamp` changes whenever another process has changed the jobs
   * (src/db/change-stamp.ts). Without it, the facts miss them.
   */
  constructor(
    readonly facts: JobFacts,
    private readonly changeStamp?: () => Promise<unknown>,
  ) {
    this.counts = new ListCounts(facts);
    facts.listen(this.counts);
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
    await this.facts.current();
  }

  /** This process committed a write to jobs (or what a rendered job shows). */
  jobsWritten(): void {
    this.facts.noteWrite();
  }
}
