import type { JobFacts } from './facts.ts';
import { FacetCounter, testOf, type JobTest } from './fact-scan.ts';
import type { FacetCounts, SearchCriteria } from './repository.ts';
import { CacheLookups } from '../metrics/cache-lookups.ts';

/** What hears of each change to the facts, before and after it, to keep what it derived from them current. */
export interface FactsListener {
  /** These jobs are about to change: the facts still hold them as they were. */
  changing(ids: readonly number[]): void;
  /** These jobs changed: the facts hold them as they are now. */
  changed(ids: readonly number[]): void;
  /** The facts were loaded again, or moved to larger columns: nothing derived before holds. */
  reset(): void;
}

interface Counted {
  readonly test: JobTest;
  total: number;
  readonly facets: FacetCounter;
}

/*
 * The exact total and facets of each filter lists have asked for, kept
 * current as jobs change rather than counted again: a change takes each
 * changed job out of the counts of the filters it passed, and puts it into
 * those it passes now. Counting a filter from nothing is a scan of every
 * job (milliseconds at 100,000); keeping it is a test per kept filter per
 * changed job (well under a microsecond).
 */
export class ListCounts implements FactsListener {
  private readonly entries = new Map<string, Counted>();
  readonly lookups = new CacheLookups();

  constructor(
    private readonly facts: JobFacts,
    private readonly maxEntries = 500,
  ) {}

  /** The filter's total and facets: counted once, then kept. `key` names the filter (not the page, nor the order). */
  get(key: string, criteria: SearchCriteria): { total: number; facets: FacetCounts } {
    let counted = this.lookups.record(this.entries.get(key));
    if (counted) {
      this.entries.delete(key);
    } else {
      counted = this.count(criteria);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, counted);
    return { total: counted.total, facets: counted.facets.result() };
  }

  changing(ids: readonly number[]): void {
    for (const counted of this.entries.values()) {
      for (const id of ids) {
        if (!counted.test(id)) continue;
        counted.total -= 1;
        counted.facets.remove(id);
      }
    }
  }

  changed(ids: readonly number[]): void {
    for (const counted of this.entries.values()) {
      for (const id of ids) {
        if (!counted.test(id)) continue;
        counted.total += 1;
        counted.facets.add(id);
      }
    }
  }

  reset(): void {
    this.entries.clear();
  }

  private count(criteria: SearchCriteria): Counted {
    const { facts } = this;
    const test = testOf(facts, criteria);
    const facets = new FacetCounter(facts);
    let total = 0;
    for (let id = facts.maxId; id > 0; id -= 1) {
      if (!test(id)) continue;
      total += 1;
      facets.add(id);
    }
    return { test, total, facets };
  }
}
