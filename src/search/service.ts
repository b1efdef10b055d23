import type { Caller } from '../auth/caller.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { JobServices } from '../jobs/service.ts';
import { findJobsByIds, type StoredJob } from '../jobs/repository.ts';
import { KM_PER_MILE } from '../geo/gazetteer.ts';
import type { Page } from '../http/pagination.ts';
import { DEFAULT_RADIUS_UNIT, type JobSearchQuery } from './criteria.ts';
import { resolveCriteria } from './criteria-resolve.ts';
import { searchNewestMatches, SEARCH_WINDOW, type FacetCounts, type SearchCriteria } from './repository.ts';
import { listPage, scan } from './fact-scan.ts';
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

/** Which page of which list, in which distance unit: what a rendered page of a list without keywords is kept by, besides its rendering. */
export interface Listing {
  readonly criteria: SearchCriteria;
  readonly page: { readonly number: number; readonly size: number };
  readonly unit: 'mi' | 'km';
}

/**
 * Renders a page's jobs, and keeps the rendered pages of lists without
 * keywords: the presentation edge keys them, since only it knows every input
 * of its rendering (src/jobs/list-pages.ts).
 */
export interface PageRenderer {
  render(hits: readonly SearchHit[]): Buffer;
  kept(listing: Listing, compute: () => Promise<RenderedPage>): Promise<RenderedPage>;
}

interface FoundPage {
  readonly total: number;
  readonly totalRelation: TotalRelation;
  readonly page: RenderedPage;
  readonly facets: FacetCounts;
}

type PageIds = readonly { id: number; distanceKm: number | null }[];

/** Reads the jobs of a page and renders them, with each one's distance in the unit asked for. */
async function renderPage(services: JobServices, ids: PageIds, unit: 'mi' | 'km', renderer: PageRenderer): Promise<RenderedPage> {
  const stored = await findJobsByIds(services.db, ids.map((hit) => hit.id));
  const distances = new Map(ids.map((hit) => [hit.id, hit.distanceKm]));
  const hits: SearchHit[] = stored.map((item) => {
    const km = distances.get(item.job.id) ?? null;
    const value = km === null ? null : Math.round((unit === 'km' ? km : km / KM_PER_MILE) * 10) / 10;
    return { stored: item, distance: value === null ? null : { value, unit } };
  });
  return { data: renderer.render(hits), count: hits.length };
}

/** Keywords: the newest matches, ordered, paged and counted in memory (see SEARCH_WINDOW). */
async function findByKeywords(
  services: JobServices,
  criteria: SearchCriteria & { text: TextQuery },
  page: Page,
  render: (ids: PageIds) => Promise<RenderedPage>,
): Promise<FoundPage> {
  const { db, fullText, facts, lists } = services;
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
 * brought up to date first; each rendered page is kept by the renderer until
 * the jobs change.
 */
async function findByFilters(
  services: JobServices,
  criteria: SearchCriteria,
  page: Page,
  keptPage: (compute: () => Promise<RenderedPage>) => Promise<RenderedPage>,
  render: (ids: PageIds) => Promise<RenderedPage>,
): Promise<FoundPage> {
  const { facts, lists } = services;
  await lists.current();
  const wanted = { limit: page.size, offset: page.offset };
  const { sort: _sort, ...filter } = criteria;
  const counts = lists.counts ? lists.counts.get(JSON.stringify(filter), criteria) : scan(facts, criteria, wanted, null);
  const rendered = await keptPage(() => render(listPage(facts, criteria, wanted)));
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
  const render = (ids: PageIds) => renderPage(services, ids, unit, renderer);
  const { text } = criteria;
  const listing: Listing = { criteria, page: { number: page.number, size: page.size }, unit };
  const keptPage = (compute: () => Promise<RenderedPage>) => renderer.kept(listing, compute);
  const found = text
    ? await findByKeywords(services, { ...criteria, text }, page, render)
    : await findByFilters(services, criteria, page, keptPage, render);
  return {
    total: found.total,
    totalRelation: found.totalRelation,
    page: found.page,
    aggregations: presentAggregations(services.catalogue, found.facets),
  };
}
