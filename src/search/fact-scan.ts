import { distanceKm as greatCircleKm } from '../geo/gazetteer.ts';
import { type JobFacts, dayNumber } from './facts.ts';
import { bandOfPay } from './facets.ts';
import { boxAround, inBox } from './geo-box.ts';
import type { FacetCounts, SearchCriteria, WindowJob } from './repository.ts';
import { SORTS } from './sorts.ts';

/*
 * Searches over the facts in memory (facts.ts): which jobs a search's
 * filters keep, their counts and facets, and a page of them in the
 * search's order. The conditions are those of src/tenancy/visibility.ts and
 * the filters of repository.ts, over columns instead of SQL.
 */

/** Whether a job passes every filter of a search but its keywords. */
export type JobTest = (id: number) => boolean;

export function testOf(facts: JobFacts, criteria: SearchCriteria): JobTest {
  const { listed, organisation, openDay, closeDay, country, category, type, currency, annualHigh, annualLow, lat, lon } = facts;
  const scope = criteria.visibleTo;
  const organisations = 'organisationIds' in scope ? new Set(scope.organisationIds) : null;
  const sites = 'siteIds' in scope ? new Set(scope.siteIds) : null;
  const today = dayNumber(criteria.today);
  const { status, near, countryId, organisationId, salary } = criteria;
  const categories = criteria.categoryIds ? new Set(criteria.categoryIds) : null;
  const types = criteria.typeIds ? new Set(criteria.typeIds) : null;
  const site = criteria.siteId === undefined ? null : new Set([criteria.siteId]);
  const openedSince = criteria.openedSince === undefined ? null : dayNumber(criteria.openedSince);
  const box = near ? boxAround(near.lat, near.lon, near.radiusKm) : null;
  return (id) => {
    if (listed[id] !== 1) return false;
    if (organisations !== null && !organisations.has(organisation[id] as number)) return false;
    if (sites !== null && !facts.onAnySite(id, sites)) return false;
    if (status === 'live' && ((openDay[id] as number) > today || (closeDay[id] as number) < today)) return false;
    if (status === 'scheduled' && (openDay[id] as number) <= today) return false;
    if (status === 'expired' && (closeDay[id] as number) >= today) return false;
    if (countryId !== undefined && country[id] !== countryId) return false;
    if (categories !== null && !categories.has(category[id] as number)) return false;
    if (types !== null && !types.has(type[id] as number)) return false;
    if (organisationId !== undefined && organisation[id] !== organisationId) return false;
    if (site !== null && !facts.onAnySite(id, site)) return false;
    if (salary) {
      // NaN (no pay stated) fails every comparison, as NULL does in SQL.
      if (currency[id] !== salary.currencyId) return false;
      if (salary.min !== undefined && !((annualHigh[id] as number) >= salary.min)) return false;
      if (salary.max !== undefined && !((annualLow[id] as number) <= salary.max)) return false;
    }
    if (openedSince !== null && (openDay[id] as number) < openedSince) return false;
    if (near && box) {
      const jobLat = lat[id] as number;
      const jobLon = lon[id] as number;
      if (!inBox(box, jobLat, jobLon) || greatCircleKm(near, { lat: jobLat, lon: jobLon }) > near.radiusKm) return false;
    }
    return true;
  };
}

/** What a keyword search's window and a list's ordering need of one job, from the facts. */
export function windowJobOf(facts: JobFacts, criteria: SearchCriteria, id: number, rank: number): WindowJob {
  const high = facts.annualHigh[id] as number;
  return {
    id,
    rank,
    distanceKm: criteria.near ? greatCircleKm(criteria.near, { lat: facts.lat[id] as number, lon: facts.lon[id] as number }) : null,
    countryId: facts.country[id] as number,
    categoryId: facts.category[id] as number,
    typeId: facts.type[id] as number,
    currencyId: facts.currency[id] as number,
    annualHigh: Number.isNaN(high) ? null : high,
    closeDate: closeDateOf(facts.closeDay[id] as number),
  };
}

const closeDates = new Map<number, string>();
/** A day number as its date; jobs share few close dates, and formatting one costs more than the rest of a job. */
function closeDateOf(day: number): string {
  let date = closeDates.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (closeDates.size < 100_000) closeDates.set(day, date);
  }
  return date;
}

/** Facet counts of jobs added one at a time: counters indexed by id. */
class FacetCounter {
  private readonly countries: Uint32Array;
  private readonly categories: Uint32Array;
  private readonly types: Uint32Array;
  private readonly bands = new Map<number, number>();

  constructor(private readonly facts: JobFacts) {
    this.countries = new Uint32Array(facts.maxKey.country + 1);
    this.categories = new Uint32Array(facts.maxKey.category + 1);
    this.types = new Uint32Array(facts.maxKey.type + 1);
  }

  add(id: number): void {
    const { facts } = this;
    (this.countries[facts.country[id] as number] as number) += 1;
    (this.categories[facts.category[id] as number] as number) += 1;
    (this.types[facts.type[id] as number] as number) += 1;
    const high = facts.annualHigh[id] as number;
    if (!Number.isNaN(high)) {
      const key = (facts.currency[id] as number) * 1_000 + bandOfPay(high);
      this.bands.set(key, (this.bands.get(key) ?? 0) + 1);
    }
  }

  result(): FacetCounts {
    const nonZero = (counts: Uint32Array) => {
      const found: { id: number; count: number }[] = [];
      counts.forEach((count, id) => {
        if (count > 0) found.push({ id, count });
      });
      return found;
    };
    return {
      countries: nonZero(this.countries),
      categories: nonZero(this.categories),
      types: nonZero(this.types),
      salaryBands: [...this.bands].map(([key, count]) => ({ currencyId: Math.floor(key / 1_000), band: key % 1_000, count })),
    };
  }
}

/** Keeps the `size` first jobs in a sort's order, of any number offered: a binary heap whose root is the last kept. */
class FirstInOrder {
  private readonly heap: WindowJob[] = [];
  constructor(
    private readonly size: number,
    private readonly compare: (a: WindowJob, b: WindowJob) => number,
  ) {}

  offer(job: WindowJob): void {
    const { heap } = this;
    if (heap.length < this.size) {
      heap.push(job);
      this.up(heap.length - 1);
    } else if (heap[0] && this.compare(job, heap[0]) < 0) {
      heap[0] = job;
      this.down(0);
    }
  }

  sorted(): WindowJob[] {
    return [...this.heap].sort(this.compare);
  }

  private up(index: number): void {
    const { heap } = this;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(heap[index] as WindowJob, heap[parent] as WindowJob) <= 0) return;
      [heap[index], heap[parent]] = [heap[parent] as WindowJob, heap[index] as WindowJob];
      index = parent;
    }
  }

  private down(index: number): void {
    const { heap } = this;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let last = index;
      if (left < heap.length && this.compare(heap[left] as WindowJob, heap[last] as WindowJob) > 0) last = left;
      if (right < heap.length && this.compare(heap[right] as WindowJob, heap[last] as WindowJob) > 0) last = right;
      if (last === index) return;
      [heap[index], heap[last]] = [heap[last] as WindowJob, heap[index] as WindowJob];
      index = last;
    }
  }
}

export interface ListScan {
  readonly total: number;
  readonly facets: FacetCounts;
  readonly page: readonly { id: number; distanceKm: number | null }[];
}

/**
 * A search without keywords over every listed job, newest first: its exact
 * total, its facets and one page in the search's order. Newest first (the
 * default) is the order of the scan itself; another order keeps the first
 * `offset + limit` jobs in a heap.
 */
export function scanList(facts: JobFacts, criteria: SearchCriteria, limit: number, offset: number): ListScan {
  const test = testOf(facts, criteria);
  const facets = new FacetCounter(facts);
  const newestFirst = criteria.sort === 'newest' || criteria.sort === 'relevance' || (criteria.sort === 'distance' && !criteria.near);
  const first = newestFirst ? null : new FirstInOrder(offset + limit, SORTS[criteria.sort].compare);
  const page: { id: number; distanceKm: number | null }[] = [];
  let total = 0;
  for (let id = facts.maxId; id > 0; id -= 1) {
    if (!test(id)) continue;
    facets.add(id);
    if (first) first.offer(windowJobOf(facts, criteria, id, 0));
    else if (total >= offset && total < offset + limit) page.push({ id, distanceKm: distanceOf(facts, criteria, id) });
    total += 1;
  }
  const ordered = first ? first.sorted().slice(offset).map((job) => ({ id: job.id, distanceKm: job.distanceKm })) : page;
  return { total, facets: facets.result(), page: ordered };
}

function distanceOf(facts: JobFacts, criteria: SearchCriteria, id: number): number | null {
  return criteria.near ? greatCircleKm(criteria.near, { lat: facts.lat[id] as number, lon: facts.lon[id] as number }) : null;
}
