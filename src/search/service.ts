import type { Caller } from '../auth/caller.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { JobServices } from '../jobs/service.ts';
import type { StoredJob } from '../jobs/repository.ts';
import { KM_PER_MILE } from '../geo/gazetteer.ts';
import type { Page } from '../http/pagination.ts';
import { DEFAULT_RADIUS_UNIT, type JobSearchQuery } from './criteria.ts';
import { resolveCriteria } from './criteria-resolve.ts';
import { searchNewestMatches, SEARCH_WINDOW, type FacetCounts, type SearchCriteria } from './repository.ts';
import { listPage } from './fact-scan.ts';
import { SALARY_BAND_CAP, SALARY_BAND_WIDTH } from './facets.ts';
import type { TextQuery } from './text-query.ts';
import type { RenderedPage } from './list-cache.ts';

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

/** A job of a page, with its distance from the search's point in the unit asked for, if any. */
export interface PageHit {
  readonly id: number;
  readonly distance: { value: number; unit: 'mi' | 'km' } | null;
}

/** Renders a page's jobs, in order, reading them as it needs (src/jobs/list-pages.ts). */
export interface PageRenderer {
  render(hits: readonly PageHit[]): Promise<RenderedPage>;
}

interface FoundPage {
  readonly total: number;
  readonly totalRelation: TotalRelation;
  readonly page: RenderedPage;
  readonly facets: FacetCounts;
}

type PageIds = readonly { id: number; distanceKm: number | null }[];

/** Renders the jobs of a page, with each one's distance in the unit asked for. */
function renderPage(ids: PageIds, unit: 'mi' | 'km', renderer: PageRenderer): Promise<RenderedPage> {
  return renderer.render(ids.map(({ id, distanceKm }) => {
    const value = distanceKm === null ? null : Math.round((unit === 'km' ? distanceKm : distanceKm / KM_PER_MILE) * 10) / 10;
    return { id, distance: value === null ? null : { value, unit } };
  }));
}

/** Keywords: the newest matches, ordered, paged and counted in memory (see SEARCH_WINDOW). */
async function findByKeywords(
  services: JobServices,
  criteria: SearchCriteria & { text: TextQuery },
  page: Page,
  render: (ids: PageIds) => Promise<RenderedPage>,
): Promise<FoundPage> {
  const { db, fullText, lists } = services;
  const { facts } = lists;
  await lists.current();
  const pageWanted = { limit: page.size, offset: page.offset };
  const found = await searchNewestMatches(db, fullText, facts, criteria, pageWanted, SEARCH_WINDOW, lists.textHits);
  return {
    total: found.total,
    totalRelation: found.complete ? 'eq' : 'gte',
    page: await render(found.page),
    facets: found.facets,
  };
}

/**
 * Filters alone: the exact total and facets of the filter, kept current as
 * jobs change (list-counts.ts), and the page's ids from the facts in memory,
 * brought up to date first.
 */
async function findByFilters(
  services: JobServices,
  criteria: SearchCriteria,
  page: Page,
  render: (ids: PageIds) => Promise<RenderedPage>,
): Promise<FoundPage> {
  const { lists } = services;
  const { facts } = lists;
  await lists.current();
  const wanted = { limit: page.size, offset: page.offset };
  const { sort: _sort, ...filter } = criteria;
  const counts = lists.counts.get(JSON.stringify(filter), criteria);
  const rendered = await render(listPage(facts, criteria, wanted));
  return { page: rendered, total: counts.total, totalRelation: 'eq', facets: counts.facets };
}

/** GET /api/job: the page of jobs matching the query, rendered, with facets over all of them. */
export async function searchJobs(
  services: JobServices,
  caller: Caller,
  query: JobSearchQuery,
  page: Page,
  today: string,
  renderer: PageRenderer,
) {
  const criteria = await resolveCriteria(services.db, services.catalogue, caller, query, today);
  const unit = query.radius_unit ?? DEFAULT_RADIUS_UNIT;
  const render = (ids: PageIds) => renderPage(ids, unit, renderer);
  const { text } = criteria;
  const found = text
    ? await findByKeywords(services, { ...criteria, text }, page, render)
    : await findByFilters(services, criteria, page, render);
  return {
    total: found.total,
    totalRelation: found.totalRelation,
    page: found.page,
    aggregations: presentAggregations(services.catalogue, found.facets),
  };
}
