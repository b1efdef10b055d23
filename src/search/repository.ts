import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { FullTextEngine, Near } from './engine.ts';
import type { TextQuery } from './text-query.ts';
import { boxAround, boxConditions } from './geo-box.ts';
import { distanceKm as greatCircleKm } from '../geo/gazetteer.ts';
import { ANNUAL_HIGH, ANNUAL_LOW, distanceKm } from './expressions.ts';
import { ID_FACETS, SALARY_BAND_FACET } from './facets.ts';
import { SORTS } from './sorts.ts';
import { listedJobConditions, type JobScope, type StatusFilter } from '../tenancy/visibility.ts';

/** Everything a job search filters, orders and pages by, resolved to ids. */
export interface SearchCriteria {
  /** Whose jobs the caller sees (src/tenancy/visibility.ts). */
  readonly visibleTo: JobScope;
  readonly text: TextQuery | null;
  readonly near: Near | null;
  readonly countryId?: number;
  readonly categoryIds?: readonly number[];
  readonly typeIds?: readonly number[];
  readonly organisationId?: number;
  readonly siteId?: number;
  readonly salary?: { min?: number; max?: number; currencyId: number };
  readonly openedSince?: string;
  readonly status: StatusFilter;
  readonly sort: 'relevance' | 'newest' | 'closing' | 'distance' | 'salary';
  /** Today's date in UTC, for the job status. */
  readonly today: string;
}

const ids = (values: readonly number[]) => sql.join(values.map((value) => sql`${value}`));

/**
 * Every condition of a search but the keyword match, which the engine
 * supplies. Near a point, the box always; the exact distance unless the
 * caller measures it itself (`boxOnly`).
 */
function filters(criteria: SearchCriteria, boxOnly = false): RawBuilder<unknown>[] {
  const conditions = listedJobConditions(criteria.visibleTo, criteria.status, criteria.today);
  if (criteria.near) {
    const { lat, lon, radiusKm } = criteria.near;
    conditions.push(...boxConditions(boxAround(lat, lon, radiusKm)));
    if (!boxOnly) conditions.push(sql`${distanceKm(lat, lon)} <= ${radiusKm}`);
  }
  if (criteria.countryId !== undefined) conditions.push(sql`jobs.country_id = ${criteria.countryId}`);
  if (criteria.categoryIds) conditions.push(sql`jobs.job_category_id in (${ids(criteria.categoryIds)})`);
  if (criteria.typeIds) conditions.push(sql`jobs.job_type_id in (${ids(criteria.typeIds)})`);
  if (criteria.organisationId !== undefined) conditions.push(sql`jobs.organisation_id = ${criteria.organisationId}`);
  if (criteria.siteId !== undefined) {
    conditions.push(sql`exists (select 1 from job_sites where job_sites.job_id = jobs.id and job_sites.site_id = ${criteria.siteId})`);
  }
  if (criteria.salary) {
    const { min, max, currencyId } = criteria.salary;
    conditions.push(sql`jobs.salary_currency_id = ${currencyId}`);
    if (min !== undefined) conditions.push(sql`${ANNUAL_HIGH} >= ${min}`);
    if (max !== undefined) conditions.push(sql`${ANNUAL_LOW} <= ${max}`);
  }
  if (criteria.openedSince !== undefined) conditions.push(sql`jobs.open_date >= ${criteria.openedSince}`);
  return conditions;
}

/** One page of a search without keywords: job ids, with distances when near a point. */
export async function findPageIds(
  db: Executor,
  criteria: SearchCriteria,
  limit: number,
  offset: number,
): Promise<{ id: number; distanceKm: number | null }[]> {
  const distance = criteria.near ? distanceKm(criteria.near.lat, criteria.near.lon) : sql`null`;
  const page = await sql<{ id: number; distance_km: number | null }>`
    select jobs.id, ${distance} as distance_km from jobs where ${sql.join(filters(criteria), sql` and `)}
    order by ${SORTS[criteria.sort].orderBy(criteria.near)} limit ${limit} offset ${offset}`.execute(db);
  return page.rows.map((row) => ({ id: Number(row.id), distanceKm: row.distance_km === null ? null : Number(row.distance_km) }));
}

/** How many jobs a search without keywords pages through. */
export async function countJobs(db: Executor, criteria: SearchCriteria): Promise<number> {
  const count = await sql<{ total: number | string }>`
    select count(*) as total from jobs where ${sql.join(filters(criteria), sql` and `)}`.execute(db);
  return Number(count.rows[0]?.total ?? 0);
}

/**
 * A keyword search reads at most this many matches, the newest that pass
 * its filters; it ranks, orders, counts and facets them in memory. A common
 * word matches a tenth of a million-job board, and scoring and counting all
 * of them costs seconds. Google's job search pages no further than 5,000
 * results either, and Elasticsearch counts exactly only up to 10,000.
 */
export const SEARCH_WINDOW = 5_000;

/** What a keyword search needs of one matching job to order, page and count it. */
export interface WindowJob {
  readonly id: number;
  readonly rank: number;
  readonly distanceKm: number | null;
  readonly countryId: number;
  readonly categoryId: number;
  readonly typeId: number;
  readonly currencyId: number;
  /** Annual pay, the top of the range (or its only end). */
  readonly annualHigh: number | null;
  readonly closeDate: string;
}

export interface SearchWindow {
  readonly jobs: readonly WindowJob[];
  /** False when there were more matches than the window holds. */
  readonly complete: boolean;
}

/**
 * The newest matches of a keyword search that pass its filters, at most
 * `size` rows of them. Near a point the store checks the box and the exact
 * distance is measured here, where it costs a fraction of SQL's trigonometry
 * per row; the window then counts the box's matches, of which the circle
 * keeps about four in five.
 */
export async function findNewestMatches(
  db: Executor,
  engine: FullTextEngine,
  criteria: SearchCriteria & { text: TextQuery },
  size = SEARCH_WINDOW,
): Promise<SearchWindow> {
  const match = engine.match(criteria.text, criteria.near);
  const conditions = filters(criteria, true);
  if (match.condition) conditions.push(match.condition);
  const order = match.newestFirst ? sql`order by ${match.newestFirst}` : sql``;
  // One row more than the window, to know whether there were more.
  const result = await sql<WindowRow>`
    select jobs.id, ${match.rank} as text_rank, jobs.geo_lat, jobs.geo_lon, jobs.country_id, jobs.job_category_id,
      jobs.job_type_id, jobs.salary_currency_id, ${ANNUAL_HIGH} as annual_high, jobs.close_date
    from ${match.from} where ${sql.join(conditions, sql` and `)} ${order} limit ${size + 1}`.execute(db);
  const complete = result.rows.length <= size;
  const jobs = distinctNewest(result.rows.slice(0, size), criteria.near);
  return { jobs: criteria.near ? jobs.filter((job) => (job.distanceKm as number) <= (criteria.near as Near).radiusKm) : jobs, complete };
}

interface WindowRow {
  id: number;
  text_rank: number | null;
  geo_lat: number;
  geo_lon: number;
  country_id: number;
  job_category_id: number;
  job_type_id: number;
  salary_currency_id: number;
  annual_high: number | null;
  close_date: string;
}

/** Rows newest first, a job listed twice (adjacent) kept once with its better rank; distances from the point, if any. */
function distinctNewest(rows: readonly WindowRow[], near: Near | null): WindowJob[] {
  const jobs: WindowJob[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    const rank = Number(row.text_rank ?? 0);
    const previous = jobs[jobs.length - 1];
    if (previous?.id === id) {
      if (rank > previous.rank) jobs[jobs.length - 1] = { ...previous, rank };
      continue;
    }
    jobs.push({
      id,
      rank,
      distanceKm: near ? greatCircleKm(near, { lat: Number(row.geo_lat), lon: Number(row.geo_lon) }) : null,
      countryId: Number(row.country_id),
      categoryId: Number(row.job_category_id),
      typeId: Number(row.job_type_id),
      currencyId: Number(row.salary_currency_id),
      annualHigh: row.annual_high === null ? null : Number(row.annual_high),
      closeDate: String(row.close_date),
    });
  }
  return jobs;
}

export interface FacetCounts {
  readonly countries: readonly { id: number; count: number }[];
  readonly categories: readonly { id: number; count: number }[];
  readonly types: readonly { id: number; count: number }[];
  readonly salaryBands: readonly { currencyId: number; band: number; count: number }[];
}

/** Counts over the filtered set (not the page) by country, category, type and annual pay band. */
export async function countFacets(db: Executor, criteria: SearchCriteria): Promise<FacetCounts> {
  const where = sql.join(filters(criteria), sql` and `);
  const grouped = (column: RawBuilder<unknown>) =>
    sql<{ id: number; count: number | string }>`select ${column} as id, count(*) as count from jobs where ${where} group by ${column}`
      .execute(db)
      .then((result) => result.rows.map((row) => ({ id: Number(row.id), count: Number(row.count) })));
  const { currency, band, stated } = SALARY_BAND_FACET;
  // Positional GROUP BY: PostgreSQL would not see two copies of a parameterised expression as one.
  const [countries, categories, types, bands] = await Promise.all([
    grouped(ID_FACETS.countries.column),
    grouped(ID_FACETS.categories.column),
    grouped(ID_FACETS.types.column),
    sql<{ currency_id: number; band: number; count: number | string }>`
      select ${currency} as currency_id, ${band} as band, count(*) as count from jobs
      where ${where} and ${stated} group by 1, 2`.execute(db),
  ]);
  return {
    countries,
    categories,
    types,
    salaryBands: bands.rows.map((row) => ({ currencyId: Number(row.currency_id), band: Number(row.band), count: Number(row.count) })),
  };
}
