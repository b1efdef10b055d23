import type { FacetCounts, SearchCriteria, WindowJob } from './repository.ts';
import { ID_FACETS, SALARY_BAND_FACET } from './facets.ts';
import { SORTS } from './sorts.ts';

/*
 * A keyword search's matches, read once into memory (at most
 * SEARCH_WINDOW), are ordered, paged and counted here, by the sorts and
 * facets the SQL of a search without keywords uses (sorts.ts, facets.ts).
 */

/** The jobs of one page, in the search's order. */
export function pageOfWindow(jobs: readonly WindowJob[], sort: SearchCriteria['sort'], limit: number, offset: number): WindowJob[] {
  if (offset >= jobs.length) return [];
  return [...jobs].sort(SORTS[sort].compare).slice(offset, offset + limit);
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
    const band = SALARY_BAND_FACET.bandOf(job);
    return band === null ? null : `${job.currencyId}:${band}`;
  });
  return {
    countries: asIdCounts(countBy(jobs, ID_FACETS.countries.keyOf)),
    categories: asIdCounts(countBy(jobs, ID_FACETS.categories.keyOf)),
    types: asIdCounts(countBy(jobs, ID_FACETS.types.keyOf)),
    salaryBands: [...bands].map(([key, count]) => {
      const [currencyId, band] = key.split(':').map(Number) as [number, number];
      return { currencyId, band, count };
    }),
  };
}
