import { Type, type Static } from '@sinclair/typebox';
import { PageQuery } from '../http/pagination.ts';
import { MAX_QUERY_LENGTH } from './text-query.ts';
import { STATUS_FILTERS } from '../tenancy/visibility.ts';

const IdOrHandle = Type.String({ minLength: 1, maxLength: 64 });
const OneOrMany = Type.Union([IdOrHandle, Type.Array(IdOrHandle, { maxItems: 20 })]);

export const SORTS = ['relevance', 'newest', 'closing', 'distance', 'salary'] as const;

/** The query of GET /api/job: paging plus every search parameter, all combinable. */
export const JobSearchQuery = Type.Object({
  ...PageQuery.properties,
  q: Type.Optional(Type.String({ maxLength: MAX_QUERY_LENGTH, description: 'Full text; "quoted phrases"; the last word matches as a prefix' })),
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A place name, geocoded offline' })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  radius: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 25 })),
  radius_unit: Type.Optional(Type.Union([Type.Literal('mi'), Type.Literal('km')], { default: 'mi' })),
  country: Type.Optional(IdOrHandle),
  category: Type.Optional(IdOrHandle),
  type: Type.Optional(OneOrMany),
  organisation: Type.Optional(IdOrHandle),
  site: Type.Optional(IdOrHandle),
  salary_min: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000_000 })),
  salary_max: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000_000 })),
  salary_currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
  posted_since: Type.Optional(Type.String({ format: 'date' })),
  status: Type.Optional(Type.Union(STATUS_FILTERS.map((status) => Type.Literal(status)))),
  sort: Type.Optional(Type.Union(SORTS.map((sort) => Type.Literal(sort)))),
});
export type JobSearchQuery = Static<typeof JobSearchQuery>;
