import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { boolean, date, idList, image, number, reference, text, url, type FieldRule } from './rules.ts';

/*
 * The job fields of POST /api/job and POST /api/job/{id}/update, each with
 * its rule: the one place a field's limit, alias or requirement is stated.
 * The validator, the TypeScript input type and the OpenAPI body all come
 * from this table.
 */
export const JOB_FIELDS = {
  organisation: text(255, { required: true, description: 'Handle of an organisation the user belongs to' }),
  job_category_id: reference({ required: true, aliases: ['job_category'], description: 'Category id or handle' }),
  job_type_id: reference({ required: true, aliases: ['job_type'], description: 'Job type id or handle' }),
  reference: text(255, { required: true, description: 'Unique within the organisation among jobs not deleted' }),
  name: text(255, { required: true, description: 'The job title' }),
  summary: text(300, { description: 'Absent: the first 300 characters of the description as plain text' }),
  description: text(6500, { required: true }),
  benefits: text(6500),
  skills: text(6500),
  open_date: date({ required: true }),
  close_date: date({ description: 'On or after open_date; absent: open_date + 28 days' }),
  country_id: reference({ required: true, aliases: ['country'], description: 'Country id or ISO alpha-2' }),
  premise: text(255, { required: true }),
  sub_premise: text(255),
  thoroughfare: text(255),
  locality: text(255),
  main_area: text(255, { required: true, description: 'Town or city' }),
  sub_area: text(255),
  postal_code: text(255, { aliases: ['postcode'], description: 'Stored upper case without spaces' }),
  location_display: text(255, { description: 'Absent: "main_area, sub_area"' }),
  location_geo_lat: number(-90, 90, { description: 'Absent: geocoded from the address' }),
  location_geo_lon: number(-180, 180, { description: 'Absent: geocoded from the address' }),
  show_map: boolean({ description: 'Default true' }),
  salary_frequency: reference({ required: true, description: 'HOURLY, DAILY, WEEKLY, FORTNIGHTLY, 4WEEKLY, MONTHLY or ANNUALLY' }),
  salary_currency: reference({ required: true, description: 'ISO 4217 code' }),
  salary_from: number(0, 1_000_000_000),
  salary_to: number(0, 1_000_000_000, { description: 'At least salary_from' }),
  salary_text: text(255, { required: true }),
  apply_type: reference({ required: true, description: 'REDIRECT, SIGNUP, SIGNUP_WITHPOST or EMAIL' }),
  apply_url: text(3000, {
    aliases: ['apply_data'],
    description: 'An http(s) URL for REDIRECT and SIGNUP_WITHPOST, an e-mail address for EMAIL',
  }),
  sites: idList({ required: true, description: 'Site ids the client may post to (sites[] in forms)' }),
  logo: image(2048, {
    description: 'A file part of a multipart body: PNG, JPEG, GIF or WebP (told by its bytes), at most 2 MB. Sent empty: the logo is removed',
  }),
  logo_url: url(3000, {
    description: 'An http(s) URL of the logo, linked as given and never fetched; not with logo. Sent empty: the logo is removed',
  }),
} as const;

export type JobFieldName = keyof typeof JOB_FIELDS;
type ValueOf<R> = R extends FieldRule<infer T> ? T : never;

/** Validated job fields: a field the client did not send is absent; one sent empty is null. */
export type JobFields = { -readonly [K in JobFieldName]?: ValueOf<(typeof JOB_FIELDS)[K]> | null };

function bodySchema(requireFields: boolean): TObject {
  const properties: Record<string, TSchema> = {};
  const required: string[] = [];
  for (const [name, fieldRule] of Object.entries(JOB_FIELDS) as [string, FieldRule<unknown>][]) {
    properties[name] = fieldRule.schema;
    for (const alias of fieldRule.aliases) properties[alias] = { ...fieldRule.schema, description: `Alias of ${name}` };
    if (requireFields && fieldRule.required) required.push(name);
  }
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', properties, required, additionalProperties: true }) as TObject;
}

/** Documents the create body (OpenAPI); fields are checked by validateJobFields. */
export const CreateJobBody = bodySchema(true);
/** Documents the update body: every field optional, absent ones are kept. */
export const UpdateJobBody = bodySchema(false);
