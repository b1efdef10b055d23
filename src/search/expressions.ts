import { sql, type RawBuilder } from 'kysely';
import { EARTH_RADIUS_KM } from '../geo/gazetteer.ts';

/*
 * SQL expressions over `jobs` that the filters, the sorts and the facets
 * share, so each is written once.
 */

/** Great-circle distance from a point to each job, in km; the same SQL on both stores, and the same formula as the gazetteer's. */
export function distanceKm(lat: number, lon: number): RawBuilder<number> {
  return sql<number>`(${EARTH_RADIUS_KM * 2} * asin(sqrt(
    power(sin(radians(jobs.geo_lat - ${lat}) / 2), 2) +
    cos(radians(${lat})) * cos(radians(jobs.geo_lat)) * power(sin(radians(jobs.geo_lon - ${lon}) / 2), 2))))`;
}

/** Annual pay, the top of the range (or its only end). */
export const ANNUAL_HIGH = sql`coalesce(jobs.annual_salary_to, jobs.annual_salary_from)`;
/** Annual pay, the bottom of the range (or its only end). */
export const ANNUAL_LOW = sql`coalesce(jobs.annual_salary_from, jobs.annual_salary_to)`;
