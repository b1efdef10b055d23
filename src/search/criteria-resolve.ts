import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../auth/caller.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import { findPlace, findPlaceAnywhere, KM_PER_MILE, type Place } from '../geo/gazetteer.ts';
import { findVisibleOrganisation, findVisibleSite, listedStatus, scopeOf } from '../tenancy/visibility.ts';
import { DEFAULT_RADIUS, type JobSearchQuery } from './criteria.ts';
import type { SearchCriteria } from './repository.ts';
import { parseTextQuery } from './text-query.ts';

const badRequest = (message: string) => new AppError('bad_request', message);

function resolveCategoryIds(catalogue: Catalogue, value: string): number[] | undefined {
  const category = catalogue.jobCategories.find(value);
  if (!category) throw badRequest(`The category "${value}" does not exist.`);
  if (category.parent_id === null) return undefined; // the root: every category
  const isSector = catalogue.jobCategories.get(category.parent_id)?.parent_id === null;
  if (!isSector) return [category.id];
  // A sector includes all its roles.
  return [category.id, ...catalogue.jobCategories.rows.filter((row) => row.parent_id === category.id).map((row) => row.id)];
}

function resolveTypeIds(catalogue: Catalogue, value: string | string[]): number[] {
  return [value].flat().map((item) => {
    const type = catalogue.jobTypes.find(item);
    if (!type) throw badRequest(`The type "${item}" does not exist.`);
    return type.id;
  });
}

function findNamedPlace(location: string, countryIso: string | undefined): Place | null {
  const candidates = [location, ...location.split(',').map((part) => part.trim())];
  for (const name of candidates) {
    const place = countryIso ? findPlace(countryIso, name) : findPlaceAnywhere(name);
    if (place) return place;
  }
  return null;
}

function resolveNear(query: JobSearchQuery, countryIso: string | undefined): SearchCriteria['near'] {
  const hasPoint = query.lat !== undefined || query.lon !== undefined;
  if (hasPoint && (query.lat === undefined || query.lon === undefined)) throw badRequest('Give both lat and lon.');
  if (hasPoint && query.location !== undefined) throw badRequest('Give a location or lat and lon, not both.');
  const radius = query.radius ?? DEFAULT_RADIUS;
  const radiusKm = query.radius_unit === 'km' ? radius : radius * KM_PER_MILE;
  if (query.location !== undefined) {
    const place = findNamedPlace(query.location, countryIso);
    if (!place) {
      throw new AppError('validation_failed', undefined, { location: [`The location "${query.location}" could not be found.`] });
    }
    return { lat: place.lat, lon: place.lon, radiusKm };
  }
  return hasPoint ? { lat: query.lat as number, lon: query.lon as number, radiusKm } : null;
}

function resolveSalary(catalogue: Catalogue, query: JobSearchQuery): SearchCriteria['salary'] {
  const { salary_min: min, salary_max: max } = query;
  if (min === undefined && max === undefined) return undefined;
  if (!query.salary_currency) throw badRequest('salary_min and salary_max need salary_currency.');
  const currency = catalogue.currencies.find(query.salary_currency);
  if (!currency) throw badRequest(`The currency "${query.salary_currency}" does not exist.`);
  if (min !== undefined && max !== undefined && min > max) throw badRequest('salary_min may not be above salary_max.');
  return { min, max, currencyId: currency.id };
}

/** Turns the query of GET /api/job into criteria: 400 for nonsense, 422 for a place we cannot find. */
export async function resolveCriteria(
  db: Db,
  catalogue: Catalogue,
  caller: Caller,
  query: JobSearchQuery,
  today: string,
): Promise<SearchCriteria> {
  const country = query.country === undefined ? undefined : catalogue.countries.find(query.country);
  if (query.country !== undefined && !country) throw badRequest(`The country "${query.country}" does not exist.`);
  const near = resolveNear(query, country?.iso);
  const text = query.q === undefined ? null : parseTextQuery(query.q);
  const sort = query.sort ?? (text ? 'relevance' : 'newest');
  if (sort === 'distance' && !near) throw badRequest('sort=distance needs a location, or lat and lon.');
  // Names resolve among what the caller may see: another tenant's organisation does not exist for it.
  const organisation = query.organisation === undefined ? undefined : await findVisibleOrganisation(db, caller, query.organisation);
  if (query.organisation !== undefined && !organisation) throw badRequest(`The organisation "${query.organisation}" does not exist.`);
  const site = query.site === undefined ? undefined : await findVisibleSite(db, caller, query.site);
  if (query.site !== undefined && !site) throw badRequest(`The site "${query.site}" does not exist.`);
  return {
    visibleTo: scopeOf(caller),
    text,
    near,
    countryId: country?.id,
    categoryIds: query.category === undefined ? undefined : resolveCategoryIds(catalogue, query.category),
    typeIds: query.type === undefined ? undefined : resolveTypeIds(catalogue, query.type),
    organisationId: organisation?.id,
    siteId: site?.id,
    salary: resolveSalary(catalogue, query),
    openedSince: query.posted_since,
    status: listedStatus(caller, query.status),
    sort,
    today,
  };
}
