import type { Caller } from '../auth/caller.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { JobServices } from '../jobs/service.ts';
import { findJobsByIds, type StoredJob } from '../jobs/repository.ts';
import { KM_PER_MILE } from '../geo/gazetteer.ts';
import type { Page } from '../http/pagination.ts';
import type { JobSearchQuery } from './criteria.ts';
import { resolveCriteria } from './criteria-resolve.ts';
import { countFacets, searchJobIds, SALARY_BAND_CAP, SALARY_BAND_WIDTH, type FacetCounts } from './repository.ts';

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

/** GET /api/job: the page of jobs matching the query, with facets over all of them. */
export async function searchJobs(services: JobServices, caller: Caller, query: JobSearchQuery, page: Page, today: string) {
  const { db, catalogue, fullText } = services;
  const criteria = await resolveCriteria(db, catalogue, caller, query, today);
  const { sort: _sort, ...filter } = criteria;
  const [found, facets] = await Promise.all([
    searchJobIds(db, fullText, criteria, page.size, page.offset),
    services.facets.get(JSON.stringify(filter), () => countFacets(db, fullText, criteria)),
  ]);
  const stored = await findJobsByIds(db, found.hits.map((hit) => hit.id));
  const distances = new Map(found.hits.map((hit) => [hit.id, hit.distanceKm]));
  const unit = query.radius_unit ?? 'mi';
  const hits: SearchHit[] = stored.map((item) => {
    const km = distances.get(item.job.id) ?? null;
    const value = km === null ? null : Math.round((unit === 'km' ? km : km / KM_PER_MILE) * 10) / 10;
    return { stored: item, distance: value === null ? null : { value, unit } };
  });
  return { total: found.total, hits, aggregations: presentAggregations(catalogue, facets) };
}
