import { distanceKm as greatCircleKm } from '../geo/gazetteer.ts';
import { type JobFacts, dayNumber } from './facts.ts';
import { bandOfPay } from './facets.ts';
import { boxAround, inBox } from './geo-box.ts';
import type { FacetCounts, SearchCriteria, WindowJob } from './repository.ts';
import type { TextHits } from './text-hits.ts';
import { SORTS } from './sorts.ts';
import { listedJobTest } from '../tenancy/visibility.ts';

/*
 * Searches over the facts in memory (facts.ts): which jobs a search's
 * filters keep, their counts and facets, and a page of them in the
 * search's order. Who sees which job is src/tenancy/visibility.ts's rule;
 * the filters are those of SearchCriteria, over columns.
 */

/** Whether a job passes every filter of a search but its keywords. */
export type JobTest = (id: number) => boolean;

export function testOf(facts: JobFacts, criteria: SearchCriteria): JobTest {
  const { organisation, openDay, country, category, type, currency, annualHigh, annualLow, lat, lon } = facts;
  const visible = listedJobTest(facts, criteria.visibleTo, criteria.status, dayNumber(criteria.today));
  const { near, countryId, organisationId, salary } = criteria;
  const categories = criteria.categoryIds ? new Set(criteria.categoryIds) : null;
  const types = criteria.typeIds ? new Set(criteria.typeIds) : null;
  const onSite = criteria.siteId === undefined ? null : facts.onSites([criteria.siteId]);
  const openedSince = criteria.openedSince === undefined ? null : dayNumber(criteria.openedSince);
  const box = near ? boxAround(near.lat, near.lon, near.radiusKm) : null;
  return (id) => {
    if (!visible(id)) return false;
    if (countryId !== undefined && country[id] !== countryId) return false;
    if (categories !== null && !categories.has(category[id] as number)) return false;
    if (types !== null && !types.has(type[id] as number)) return false;
    if (organisationId !== undefined && organisation[id] !== organisationId) return false;
    if (onSite !== null && !onSite(id)) return false;
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Fills `job` with what a keyword search's window and a list's ordering need of one job, from the facts. */
function fillWindowJob(job: Mutable<WindowJob>, facts: JobFacts, criteria: SearchCriteria, id: number, rank: number): WindowJob {
  const high = facts.annualHigh[id] as number;
  job.id = id;
  job.rank = rank;
  job.distanceKm = distanceOf(facts, criteria, id);
  job.countryId = facts.country[id] as number;
  job.categoryId = facts.category[id] as number;
  job.typeId = facts.type[id] as number;
  job.currencyId = facts.currency[id] as number;
  job.annualHigh = Number.isNaN(high) ? null : high;
  job.closeDay = facts.closeDay[id] as number;
  return job;
}

const blankWindowJob = (): Mutable<WindowJob> => ({
  id: 0, rank: 0, distanceKm: null, countryId: 0, categoryId: 0, typeId: 0, currencyId: 0, annualHigh: null, closeDay: 0,
});


/** Counts one more or one fewer at `index`, growing the counters when a new id comes. */
function bump(counts: Uint32Array, index: number, by: 1 | -1): Uint32Array {
  let grown = counts;
  if (index >= counts.length) {
    grown = new Uint32Array(Math.max(index + 1, counts.length * 2));
    grown.set(counts);
  }
  (grown[index] as number) += by;
  return grown;
}

/** Facet counts of jobs added (or taken away) one at a time: counters indexed by id. */
export class FacetCounter {
  private countries: Uint32Array;
  private categories: Uint32Array;
  private types: Uint32Array;
  private readonly bands = new Map<number, number>();

  constructor(private readonly facts: JobFacts) {
    this.countries = new Uint32Array(facts.maxKey.country + 1);
    this.categories = new Uint32Array(facts.maxKey.category + 1);
    this.types = new Uint32Array(facts.maxKey.type + 1);
  }

  add(id: number): void {
    this.change(id, 1);
  }

  /** Counts the job once fewer: it no longer passes, or is about to change. */
  remove(id: number): void {
    this.change(id, -1);
  }

  private change(id: number, by: 1 | -1): void {
    const { facts } = this;
    this.countries = bump(this.countries, facts.country[id] as number, by);
    this.categories = bump(this.categories, facts.category[id] as number, by);
    this.types = bump(this.types, facts.type[id] as number, by);
    const high = facts.annualHigh[id] as number;
    if (!Number.isNaN(high)) {
      const key = (facts.currency[id] as number) * 1_000 + bandOfPay(high);
      const count = (this.bands.get(key) ?? 0) + by;
      if (count === 0) this.bands.delete(key);
      else this.bands.set(key, count);
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

  /** Keeps a copy of the job if it is among the first so far: most are not, so the job offered may be reused. */
  offer(job: WindowJob): void {
    const { heap } = this;
    if (heap.length < this.size) {
      heap.push({ ...job });
      this.up(heap.length - 1);
    } else if (heap[0] && this.compare(job, heap[0]) < 0) {
      heap[0] = { ...job };
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

/** What a scan found: how many jobs passed (at most its cap), their facets, and the page asked for. */
export interface Scan {
  readonly total: number;
  readonly facets: FacetCounts;
  readonly page: readonly { id: number; distanceKm: number | null }[];
  /** False when more than the cap passed: `total` is then the cap. */
  readonly complete: boolean;
  /** The hits ran out before the cap was passed, and there are more to read. */
  readonly wantsMore: boolean;
}

type PageWanted = { readonly limit: number; readonly offset: number };

/**
 * Scans candidates newest first (every listed job, or a keyword query's
 * hits) through a search's filters, and keeps the total, the facets and one
 * page in the search's order, over at most `cap` passing jobs: the newest.
 * Newest first is the scan's own order; any other keeps the first
 * `offset + limit` in a heap, each candidate compared from one reused object.
 */
export function scan(facts: JobFacts, criteria: SearchCriteria, page: PageWanted, hits: TextHits | null, cap = Number.POSITIVE_INFINITY): Scan {
  const facets = new FacetCounter(facts);
  return { ...walk(facts, criteria, page, hits, cap, facets), facets: facets.result() };
}

/**
 * One page of a list whose counts are known (list-counts.ts): the same scan
 * without facets, which newest first stops once the page is full.
 */
export function listPage(facts: JobFacts, criteria: SearchCriteria, page: PageWanted) {
  return walk(facts, criteria, page, null, Number.POSITIVE_INFINITY, null).page;
}

/** The scan, counting facets into `facets`; without them, a scan in its own order ends with the page. */
function walk(
  facts: JobFacts,
  criteria: SearchCriteria,
  page: PageWanted,
  hits: TextHits | null,
  cap: number,
  facets: FacetCounter | null,
): Omit<Scan, 'facets'> {
  const { limit, offset } = page;
  const test = testOf(facts, criteria);
  const first = inScanOrder(criteria, hits !== null) ? null : new FirstInOrder(offset + limit, SORTS[criteria.sort].compare);
  const kept: { id: number; distanceKm: number | null }[] = [];
  const offered = blankWindowJob();
  const candidates = hits ? hits.count : facts.maxId;
  let total = 0;
  for (let index = 0; index < candidates; index += 1) {
    const id = hits ? (hits.ids[index] as number) : facts.maxId - index;
    if (!test(id)) continue;
    if (total === cap) return finish(false, false);
    facets?.add(id);
    if (first) first.offer(fillWindowJob(offered, facts, criteria, id, hits ? (hits.ranks[index] as number) : 0));
    else if (total >= offset && total < offset + limit) kept.push({ id, distanceKm: distanceOf(facts, criteria, id) });
    total += 1;
    if (!facets && !first && kept.length === limit) break;
  }
  return finish(true, hits !== null && !hits.exhausted);

  function finish(complete: boolean, wantsMore: boolean) {
    const ordered = first ? first.sorted().slice(offset).map((job) => ({ id: job.id, distanceKm: job.distanceKm })) : kept;
    return { total, page: ordered, complete, wantsMore };
  }
}

/** Whether a search's order is the order candidates come in: newest first. */
function inScanOrder(criteria: SearchCriteria, ranked: boolean): boolean {
  return criteria.sort === 'newest' || (criteria.sort === 'distance' && !criteria.near) || (criteria.sort === 'relevance' && !ranked);
}

function distanceOf(facts: JobFacts, criteria: SearchCriteria, id: number): number | null {
  return criteria.near ? greatCircleKm(criteria.near, { lat: facts.lat[id] as number, lon: facts.lon[id] as number }) : null;
}
