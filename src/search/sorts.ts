import { sql, type RawBuilder } from 'kysely';
import type { Near } from './engine.ts';
import { ANNUAL_HIGH, distanceKm } from './expressions.ts';
import type { SearchCriteria, WindowJob } from './repository.ts';

/*
 * Each sort once: the ORDER BY of a search without keywords, and the same
 * order over a keyword search's window in memory (window.ts). Ties go to the
 * newest job unless the sort says otherwise.
 */
export interface Sort {
  /** The ORDER BY, given the point a search is near, if any. */
  readonly orderBy: (near: Near | null) => RawBuilder<unknown>;
  readonly compare: (a: WindowJob, b: WindowJob) => number;
}

const newestFirst = sql`jobs.id desc`;
const newest = (a: WindowJob, b: WindowJob) => b.id - a.id;

export const SORTS: Readonly<Record<SearchCriteria['sort'], Sort>> = {
  // Without keywords nothing has a rank, so relevance is the newest first.
  relevance: { orderBy: () => newestFirst, compare: (a, b) => b.rank - a.rank || newest(a, b) },
  newest: { orderBy: () => newestFirst, compare: newest },
  closing: {
    orderBy: () => sql`jobs.close_date asc, jobs.id asc`,
    compare: (a, b) => (a.closeDate < b.closeDate ? -1 : a.closeDate > b.closeDate ? 1 : a.id - b.id),
  },
  // Without a point there is no distance (null in the window) and the order is the newest first.
  distance: {
    orderBy: (near) => (near ? sql`${distanceKm(near.lat, near.lon)} asc, jobs.id desc` : newestFirst),
    compare: (a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || newest(a, b),
  },
  salary: {
    orderBy: () => sql`${ANNUAL_HIGH} desc nulls last, jobs.id desc`,
    compare: (a, b) => {
      if (a.annualHigh === b.annualHigh) return newest(a, b);
      if (a.annualHigh === null) return 1;
      if (b.annualHigh === null) return -1;
      return b.annualHigh - a.annualHigh;
    },
  },
};
