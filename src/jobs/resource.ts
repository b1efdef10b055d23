import { Type, type Static } from '@sinclair/typebox';
import { DateObjectSchema } from '../http/schemas.ts';
import { PaginationSchema } from '../http/pagination.ts';
import { SEARCH_WINDOW } from '../search/repository.ts';

/* The job resource as the contract prints it; serialises what presentJob returns. */

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableString = Nullable(Type.String());
const IdHandle = Type.Object({ id: Type.Integer(), handle: Type.String() });
const LonLat = Type.Object({ lon: Type.Number(), lat: Type.Number() });

export const JobResourceSchema = Type.Object({
  id: Type.Integer(),
  reference: Type.String(),
  number_applied: Type.Integer(),
  job_title: Type.String(),
  job_title_suggest: Type.Object({
    input: Type.Array(Type.String()),
    output: Type.String(),
    payload: Type.Object({ id: Type.Integer() }),
    context: Type.Object({ location: Type.Object({ lat: Type.Number(), lon: Type.Number() }) }),
  }),
  slug: Type.String(),
  summary: Type.String(),
  description: Type.String(),
  benefits: NullableString,
  skills: NullableString,
  salary: Type.Object({
    from: NullableString,
    to: NullableString,
    text: Type.String(),
    frequency: Type.String(),
    currency: Type.Object({ iso_code: Type.String(), symbol: Type.String(), unicode: Type.String() }),
  }),
  location: Type.Object({
    display: Type.String(),
    postcode: Type.Union([Type.Object({ id: Type.Integer(), postcode: NullableString }), Type.Null()]),
    country: Type.Object({ id: Type.Integer(), iso: Type.String(), name: Type.String(), geo: LonLat }),
    geo: Type.Object({ lon: Type.String(), lat: Type.String() }),
  }),
  language: Type.Object({ data: Type.Object({ id: Type.Integer(), iso_code: Type.String(), name: Type.String() }) }),
  open_date: DateObjectSchema,
  close_date: DateObjectSchema,
  created_at: DateObjectSchema,
  updated_at: DateObjectSchema,
  deleted_at: Type.Union([DateObjectSchema, Type.Null()]),
  category: Type.Object({
    data: Type.Object({ id: Type.Integer(), handle: Type.String(), parent: Type.Union([IdHandle, Type.Null()]) }),
  }),
  type: Type.Object({ data: IdHandle }),
  media: Type.Object({
    data: Type.Array(Type.Object({ id: Type.Integer(), type: Type.Literal('JOB_LOGO'), path: Type.String() })),
  }),
  address: Type.Union([
    Type.Object({
      premise: Type.String(),
      sub_premise: NullableString,
      thoroughfare: NullableString,
      locality: NullableString,
      main_area: Type.String(),
      sub_area: NullableString,
      postcode: NullableString,
    }),
    Type.Null(),
  ]),
  links: Type.Object({ self: Type.String(), apply: Type.String() }),
  organisation: Type.Object({ data: Type.Object({ id: Type.Integer(), handle: Type.String(), name: Type.String() }) }),
  sites: Type.Object({
    data: Type.Array(Type.Object({ id: Type.Integer(), handle: Type.String(), name: Type.String() })),
  }),
  apply: Type.Object({ type: Type.String(), url: NullableString }),
  show_map: Type.Boolean(),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('live'), Type.Literal('expired'), Type.Literal('deleted')]),
  /** To the job's vendor on a read, create or update (not on lists): views, apply clicks and applications, all sites and days. */
  stats: Type.Optional(Type.Object({ views: Type.Integer(), apply_clicks: Type.Integer(), applications: Type.Integer() })),
  distance: Type.Optional(Type.Object({ value: Type.Number(), unit: Type.Union([Type.Literal('mi'), Type.Literal('km')]) })),
});

const Buckets = Type.Array(
  Type.Object({ key: Type.String(), doc_count: Type.Integer(), currency: Type.Optional(Type.String()) }),
);

export const JobResponse = Type.Object({ data: JobResourceSchema });

export const JobListMeta = Type.Object({
  took: Type.Integer(),
  pagination: PaginationSchema,
  total_relation: Type.Union([Type.Literal('eq'), Type.Literal('gte')], {
    description: `"gte" when a keyword search had more matches than the ${SEARCH_WINDOW.toLocaleString('en')} newest it reads: total is then a floor`,
  }),
  aggregations: Type.Object({
    'location.country.iso': Buckets,
    'category.parent.handle': Buckets,
    'type.handle': Buckets,
    'salary.band': Buckets,
  }),
});
export type JobListMeta = Static<typeof JobListMeta>;

export const JobListResponse = Type.Object({ data: Type.Array(JobResourceSchema), meta: JobListMeta });

