import type { FacetCounts, SearchCriteria, WindowJob } from './repository.ts';
import { SALARY_BAND_CAP, SALARY_BAND_WIDTH } from './repository.ts';

/*
 * A keyword search's matches, read once into memory (at most
 * SEARCH_WINDOW), are ordered, paged and counted here, in the same orders
 * the SQL of a search without keywords uses.
 */

type Order = (a: WindowJob, b: WindowJob) => number;

const newest: Order = (a, b) => b.id - a.id;

const ORDERS: Record<SearchCriteria['sort'], Order> = {
  relevance: (a, b) => b.rank - a.rank || newest(a, b),
  newest,
  closing: (a, b) => (a.closeDate < b.closeDate ? -1 : a.closeDate > b.closeDate ? 1 : a.id - b.id),
  // Without a point every distance is null and the order is the newest first.
  distance: (a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || newest(a, b),
  salary: (a, b) => {
    if (a.annualHigh === b.annualHigh) return newest(a, b);
    if (a.annualHigh === null) return 1;
    if (b.annualHigh === null) return -1;
    return b.annualHigh - a.annualHigh;
  },
};

/** The jobs of one page, in the search's order. */
export function pageOfWindow(jobs: readonly WindowJob[], sort: SearchCriteria['sort'], limit: number, offset: number): WindowJob[] {
  if (offset >= jobs.length) return [];
  return [...jobs].sort(ORDERS[sort]).slice(offset, offset + limit);
}

function countBy<K>(jobs: readonly WindowJob[], keyOf: (job: WindowJob) => K | null): Map<K, number> {
  const counts = new Map<K, number>();
  for (const job of jobs) {
    const key = keyOf(job);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const asIdCounts = (counts: Map<number, number>) => [...counts].map(([id, count]) => ({ id, count }));

/** The facet counts of the window, as the SQL of countFacets gives them for a whole set. */
export function facetsOfWindow(jobs: readonly WindowJob[]): FacetCounts {
  const bands = countBy(jobs, (job) => {
    if (job.annualHigh === null) return null;
    const band = Math.floor(Math.min(job.annualHigh, SALARY_BAND_CAP) / SALARY_BAND_WIDTH);
    return `${job.currencyId}:${band}`;
  });
  return {
    countries: asIdCounts(countBy(jobs, (job) => job.countryId)),
    categories: asIdCounts(countBy(jobs, (job) => job.categoryId)),
    types: asIdCounts(countBy(jobs, (job) => job.typeId)),
    salaryBands: [...bands].map(([key, count]) => {
      const [currencyId, band] = key.split(':').map(Number) as [number, number];
      return { currencyId, band, count };
    }),
  };
}
