import type { Caller } from '../auth/caller.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { JobServices } from '../jobs/service.ts';
import { findJobsByIds, type StoredJob } from '../jobs/repository.ts';
import { KM_PER_MILE } from '../geo/gazetteer.ts';
import type { Page } from '../http/pagination.ts';
import type { JobSearchQuery } from './criteria.ts';
import { resolveCriteria } from './criteria-resolve.ts';
import {
  countFacets,
  countJobs,
  findNewestMatches,
  findPageIds,
  SALARY_BAND_CAP,
  SALARY_BAND_WIDTH,
  type FacetCounts,
  type SearchCriteria,
} from './repository.ts';
import type { TextQuery } from './text-query.ts';
import { facetsOfWindow, pageOfWindow } from './window.ts';

export interface Bucket {
  key: string;
  doc_count: number;
  currency?: string;
}

export type Aggregations = Record<'location.country.iso' | 'category.parent.handle' | 'type.handle' | 'salary.band', Bucket[]>;

export interface SearchHit {
  stored: StoredJob;
  distance: { value: number; unit: 'mi' | 'km' } | null;
}

const byCountThenKey = (a: Bucket, b: Bucket) => b.doc_count - a.doc_count || a.key.localeCompare(b.key);

function sumBuckets(entries: Iterable<[string | undefined, number]>): Bucket[] {
  const sums = new Map<string, number>();
  for (const [key, count] of entries) if (key !== undefined) sums.set(key, (sums.get(key) ?? 0) + count);
  return [...sums].map(([key, doc_count]) => ({ key, doc_count })).sort(byCountThenKey);
}

function salaryBandKey(band: number): string {
  const from = band * SALARY_BAND_WIDTH;
  return from >= SALARY_BAND_CAP ? `${SALARY_BAND_CAP}+` : `${from}-${from + SALARY_BAND_WIDTH}`;
}

/** Facet counts in the published shape: keys as the job resource shows them. */
export function presentAggregations(catalogue: Catalogue, facets: FacetCounts): Aggregations {
  const parentHandle = (categoryId: number) => {
    const parentId = catalogue.jobCategories.get(categoryId)?.parent_id;
    return parentId == null ? undefined : catalogue.jobCategories.get(parentId)?.handle;
  };
  return {
    'location.country.iso': sumBuckets(facets.countries.map(({ id, count }) => [catalogue.countries.get(id)?.iso.toLowerCase(), count])),
    'category.parent.handle': sumBuckets(facets.categories.map(({ id, count }) => [parentHandle(id), count])),
    'type.handle': sumBuckets(facets.types.map(({ id, count }) => [catalogue.jobTypes.get(id)?.handle, count])),
    'salary.band': facets.salaryBands
      .map(({ currencyId, band, count }) => ({
        key: salaryBandKey(band),
        currency: catalogue.currencies.get(currencyId)?.iso_code ?? '',
        doc_count: count,
      }))
      .sort((a, b) => a.currency.localeCompare(b.currency) || parseInt(a.key, 10) - parseInt(b.key, 10)),
  };
}

/** How `total` counts: exactly, or as a floor when a keyword search had more matches than it reads. */
export type TotalRelation = 'eq' | 'gte';

interface FoundPage {
  readonly total: number;
  readonly totalRelation: TotalRelation;
  readonly hits: readonly { id: number; distanceKm: number | null }[];
  readonly facets: FacetCounts;
}

/** Keywords: the newest matches, ordered, paged and counted in memory (see SEARCH_WINDOW). */
async function findByKeywords(services: JobServices, criteria: SearchCriteria & { text: TextQuery }, page: Page): Promise<FoundPage> {
  const window = await findNewestMatches(services.db, services.fullText, criteria);
  return {
    total: window.jobs.length,
    totalRelation: window.complete ? 'eq' : 'gte',
    hits: pageOfWindow(window.jobs, criteria.sort, page.size, page.offset),
    facets: facetsOfWindow(window.jobs),
  };
}

/** Filters alone: the page from SQL; the exact total and facets, kept per filter until the jobs change. */
async function findByFilters(services: JobServices, criteria: SearchCriteria, page: Page): Promise<FoundPage> {
  const { db } = services;
  const { sort: _sort, ...filter } = criteria;
  const [hits, counts] = await Promise.all([
    findPageIds(db, criteria, page.size, page.offset),
    services.facets.get(JSON.stringify(filter), async () => {
      const [total, facets] = await Promise.all([countJobs(db, criteria), countFacets(db, criteria)]);
      return { total, facets };
    }),
  ]);
  return { hits, total: counts.total, totalRelation: 'eq', facets: counts.facets };
}

/** GET /api/job: the page of jobs matching the query, with facets over all of them. */
export async function searchJobs(services: JobServices, caller: Caller, query: JobSearchQuery, page: Page, today: string) {
  const { db, catalogue } = services;
  const criteria = await resolveCriteria(db, catalogue, caller, query, today);
  const { text } = criteria;
  const found = text ? await findByKeywords(services, { ...criteria, text }, page) : await findByFilters(services, criteria, page);
  const stored = await findJobsByIds(db, found.hits.map((hit) => hit.id));
  const distances = new Map(found.hits.map((hit) => [hit.id, hit.distanceKm]));
  const unit = query.radius_unit ?? 'mi';
  const hits: SearchHit[] = stored.map((item) => {
    const km = distances.get(item.job.id) ?? null;
    const value = km === null ? null : Math.round((unit === 'km' ? km : km / KM_PER_MILE) * 10) / 10;
    return { stored: item, distance: value === null ? null : { value, unit } };
  });
  return { total: found.total, totalRelation: found.totalRelation, hits, aggregations: presentAggregations(catalogue, found.facets) };
}
