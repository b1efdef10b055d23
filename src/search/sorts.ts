import type { SearchCriteria, WindowJob } from './repository.ts';

/*
 * Each sort once, over the jobs a scan keeps (fact-scan.ts), lists and
 * keyword searches alike. Ties go to the newest job unless the sort says
 * otherwise; every sort ends on the id, so its order is total.
 */
export interface Sort {
  readonly compare: (a: WindowJob, b: WindowJob) => number;
}

const newest = (a: WindowJob, b: WindowJob) => b.id - a.id;

export const SORTS: Readonly<Record<SearchCriteria['sort'], Sort>> = {
  // Without keywords nothing has a rank (all 0), so relevance is the newest first.
  relevance: { compare: (a, b) => b.rank - a.rank || newest(a, b) },
  newest: { compare: newest },
  closing: { compare: (a, b) => a.closeDay - b.closeDay || a.id - b.id },
  // Without a point there is no distance (null) and the order is the newest first.
  distance: { compare: (a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || newest(a, b) },
  salary: {
    compare: (a, b) => {
      if (a.annualHigh === b.annualHigh) return newest(a, b);
      if (a.annualHigh === null) return 1;
      if (b.annualHigh === null) return -1;
      return b.annualHigh - a.annualHigh;
    },
  },
};
