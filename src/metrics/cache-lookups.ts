/**
 * How often one cache found what it was asked for: plain numbers, counted
 * whether or not metrics are served (an increment costs nothing), and read
 * at each scrape (src/metrics/store-metrics.ts).
 */
export class CacheLookups {
  hits = 0;
  misses = 0;

  /** Returns `found`, so that a lookup can count itself in passing. */
  record<T>(found: T | undefined): T | undefined {
    if (found === undefined) this.misses += 1;
    else this.hits += 1;
    return found;
  }
}
