import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../http/pagination.ts';
import { CalendarDate, CurrencyCode, IdOrHandle, Latitude, Longitude, Money } from '../http/primitives.ts';
import { MAX_QUERY_LENGTH } from './text-query.ts';
import { STATUS_FILTERS } from '../tenancy/visibility.ts';

const OneOrMany = Type.Union([IdOrHandle, Type.Array(IdOrHandle, { maxItems: 20 })]);

/** A search near a point without a radius reaches this far, in its unit (miles unless told). */
export const DEFAULT_RADIUS = 25;
export const DEFAULT_RADIUS_UNIT = 'mi';

export const SORTS = ['relevance', 'newest', 'closing', 'distance', 'salary'] as const;

/** The query of GET /api/job: paging plus every search parameter, all combinable. */
export const JobSearchQuery = Type.Object({
  ...PageQuery.properties,
  q: Type.Optional(Type.String({ maxLength: MAX_QUERY_LENGTH, description: 'Full text; "quoted phrases"; the last word matches as a prefix' })),
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A place name, geocoded offline' })),
  lat: Type.Optional(Latitude),
  lon: Type.Optional(Longitude),
  radius: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: DEFAULT_RADIUS })),
  radius_unit: Type.Optional(Type.Union([Type.Literal('mi'), Type.Literal('km')], { default: DEFAULT_RADIUS_UNIT })),
  country: Type.Optional(IdOrHandle),
  category: Type.Optional(IdOrHandle),
  type: Type.Optional(OneOrMany),
  organisation: Type.Optional(IdOrHandle),
  site: Type.Optional(IdOrHandle),
  salary_min: Type.Optional(Money),
  salary_max: Type.Optional(Money),
  salary_currency: Type.Optional(CurrencyCode),
  posted_since: Type.Optional(CalendarDate),
  status: Type.Optional(Type.Union(STATUS_FILTERS.map((status) => Type.Literal(status)))),
  sort: Type.Optional(Type.Union(SORTS.map((sort) => Type.Literal(sort)))),
});
export type JobSearchQuery = Static<typeof JobSearchQuery>;
