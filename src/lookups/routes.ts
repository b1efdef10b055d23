import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Catalogue } from './catalogue.ts';
import { DateObjectSchema, dataEnvelope } from '../http/schemas.ts';
import { presentCountries, presentJobCategories, presentJobTypes, presentOptions } from './presenter.ts';

const Country = Type.Object({ id: Type.Integer(), iso: Type.String(), name: Type.String() });
const HandleItem = Type.Object({ id: Type.Integer(), handle: Type.String(), name: Type.String() });
const Dated = { created_at: DateObjectSchema, updated_at: DateObjectSchema };
const JobType = Type.Object({ ...HandleItem.properties, ...Dated });
const JobCategory = Type.Object({ ...HandleItem.properties, parent_id: Type.Union([Type.Integer(), Type.Null()]), ...Dated });
const Options = Type.Object({
  country: Type.Array(Type.Object({ ...Country.properties, geo_lon: Type.Number(), geo_lat: Type.Number() })),
  job_type: Type.Array(HandleItem),
  job_category: Type.Array(JobCategory),
  salary_currency: Type.Array(
    Type.Object({ id: Type.Integer(), iso_code: Type.String(), symbol: Type.String(), unicode: Type.String() }),
  ),
  salary_frequency: Type.Array(HandleItem),
  apply_type: Type.Array(HandleItem),
});

export async function lookupRoutes(app: FastifyInstance, { catalogue }: { catalogue: Catalogue }) {
  const countries = presentCountries(catalogue);
  const tags = ['look-ups'];

  app.get('/address/country', { schema: { tags, operationId: 'listCountries', summary: 'The ISO 3166 countries', response: { 200: dataEnvelope(Type.Array(Country)) } } }, async () => ({
    data: countries,
  }));

  app.get('/job/type', { schema: { tags, operationId: 'listJobTypes', summary: 'The job types', response: { 200: dataEnvelope(Type.Array(JobType)) } } }, async (request) => ({
    data: presentJobTypes(catalogue, request.caller.timezone),
  }));

  app.get(
    '/job/category',
    { schema: { tags, operationId: 'listJobCategories', summary: 'The job categories: sectors and their roles', response: { 200: dataEnvelope(Type.Array(JobCategory)) } } },
    async (request) => ({ data: presentJobCategories(catalogue, request.caller.timezone) }),
  );

  app.get('/job/options', { schema: { tags, operationId: 'readJobOptions', summary: 'Every look-up at once (R2)', response: { 200: dataEnvelope(Options) } } }, async (request) => ({
    data: presentOptions(catalogue, request.caller.timezone),
  }));
}
