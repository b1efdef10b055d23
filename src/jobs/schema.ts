import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { compile } from 'html-to-text';
import { DateTime } from 'luxon';
import { boolean, date, idList, image, number, reference, text, url, type FieldRule } from './rules.ts';
import * as kind from './field-kinds.ts';
import type { DerivationSources, JobField } from './field-kinds.ts';
import * as crossField from './cross-field-rules.ts';
import { LATITUDE_BOUNDS, LONGITUDE_BOUNDS, MONEY_BOUNDS } from '../http/primitives.ts';

const DEFAULT_OPEN_DAYS = 28;

/* Compiled once: compiling the options costs some 300 µs, more than converting a typical description. */
const toPlainText = compile({ wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }] });

/* What the server derives for a field left out; the table cuts a derived text to its field's limit. */
const summaryOf = (job: Pick<DerivationSources, 'description'>) => toPlainText(job.description).replace(/\s+/g, ' ');
const areasOf = (job: Pick<DerivationSources, 'main_area' | 'sub_area'>) =>
  [job.main_area, job.sub_area].filter((part) => part && part.trim() !== '').join(', ');
const closeDateOf = (job: Pick<DerivationSources, 'open_date'>) =>
  DateTime.fromISO(job.open_date, { zone: 'utc' }).plus({ days: DEFAULT_OPEN_DAYS }).toISODate() as string;
/* "s1 4by" is stored as "S14BY". */
const compactPostcode = (postcode: string) => postcode.replace(/\s+/g, '').toUpperCase();

/*
 * The job fields of POST /api/job and POST /api/job/{id}/update: the one
 * place a field's limit, alias, requirement, column and derivation are
 * stated (the kinds are in field-kinds.ts). Validation, the draft, the
 * record, the repository's column list, the TypeScript types and the
 * OpenAPI body all come from this table: a plain field is one line here,
 * beside its column (a migration and JobsTable in db/types.ts).
 */
export const JOB_FIELDS = {
  organisation: kind.organisation(text(255, { description: 'Handle of an organisation the user belongs to' })),
  job_category_id: kind.lookup('job_category_id', 'jobCategories', reference({ aliases: ['job_category'], description: 'Category id or handle' })),
  job_type_id: kind.lookup('job_type_id', 'jobTypes', reference({ aliases: ['job_type'], description: 'Job type id or handle' })),
  reference: kind.required('reference', text(255, { description: 'Unique within the organisation among jobs not deleted' })),
  name: kind.title(text(255, { description: 'The job title' })),
  summary: kind.derivedText('summary', text(300, { description: 'Absent: the first 300 characters of the description as plain text' }), summaryOf),
  description: kind.required('description', text(6500)),
  benefits: kind.optional('benefits', text(6500)),
  skills: kind.optional('skills', text(6500)),
  open_date: kind.required('open_date', date()),
  close_date: kind.derived('close_date', date({ description: 'On or after open_date; absent: open_date + 28 days' }), closeDateOf),
  country_id: kind.lookup('country_id', 'countries', reference({ aliases: ['country'], description: 'Country id or ISO alpha-2' })),
  premise: kind.required('premise', text(255)),
  sub_premise: kind.optional('sub_premise', text(255)),
  thoroughfare: kind.optional('thoroughfare', text(255)),
  locality: kind.optional('locality', text(255)),
  main_area: kind.required('main_area', text(255, { description: 'Town or city' })),
  sub_area: kind.optional('sub_area', text(255)),
  postal_code: kind.postcode(text(255, { aliases: ['postcode'], description: 'Stored upper case without spaces' }), compactPostcode),
  location_display: kind.derivedText('location_display', text(255, { description: 'Absent: "main_area, sub_area"' }), areasOf, {
    overLimitWasDerived: true,
  }),
  location_geo_lat: kind.coordinate('lat', number(LATITUDE_BOUNDS.minimum, LATITUDE_BOUNDS.maximum, { description: 'Absent: geocoded from the address' })),
  location_geo_lon: kind.coordinate('lon', number(LONGITUDE_BOUNDS.minimum, LONGITUDE_BOUNDS.maximum, { description: 'Absent: geocoded from the address' })),
  show_map: kind.showMap(boolean({ description: 'Default true' })),
  salary_frequency: kind.lookup('salary_frequency_id', 'salaryFrequencies', reference({
    description: 'HOURLY, DAILY, WEEKLY, FORTNIGHTLY, 4WEEKLY, MONTHLY or ANNUALLY',
  })),
  salary_currency: kind.lookup('salary_currency_id', 'currencies', reference({ description: 'ISO 4217 code' })),
  salary_from: kind.salary('salary_from', number(MONEY_BOUNDS.minimum, MONEY_BOUNDS.maximum)),
  salary_to: kind.salary('salary_to', number(MONEY_BOUNDS.minimum, MONEY_BOUNDS.maximum, { description: 'At least salary_from' })),
  salary_text: kind.required('salary_text', text(255)),
  apply_type: kind.lookup('apply_type_id', 'applyTypes', reference({ description: 'REDIRECT, SIGNUP, SIGNUP_WITHPOST or EMAIL' })),
  apply_url: kind.optional('apply_url', text(3000, {
    aliases: ['apply_data'],
    description: 'An http(s) URL for REDIRECT and SIGNUP_WITHPOST, an e-mail address for EMAIL',
  })),
  sites: kind.sites(idList({ description: 'Site ids the client may post to (sites[] in forms)' })),
  logo: kind.logo(image(2048, {
    description: 'A file part of a multipart body: PNG, JPEG, GIF or WebP (told by its bytes), at most 2 MB. Sent empty: the logo is removed',
  })),
  logo_url: kind.readByAnother(url(3000, {
    description: 'An http(s) URL of the logo, linked as given and never fetched; not with logo. Sent empty: the logo is removed',
  })),
} as const;

/*
 * The rules that span fields, checked once every field is in the draft, in
 * this order: a 422 lists their fields in it. Each is skipped for a field
 * that already failed its own rule.
 */
export const CROSS_FIELD_RULES: readonly crossField.CrossFieldRule[] = [
  crossField.closeDateOnOrAfterOpenDate,
  crossField.salaryToAtLeastSalaryFrom,
  crossField.coordinatesTogether,
  crossField.logoOrLogoUrl,
  crossField.applyUrlForApplyType,
];

export type JobFieldName = keyof typeof JOB_FIELDS;

/** The table's entries, listed once for the loops of validation, draft and record. */
export const JOB_FIELD_ENTRIES = Object.entries(JOB_FIELDS) as [JobFieldName, JobField<unknown, unknown>][];

/** The columns the table's fields fill. */
export type FilledColumn = (typeof JOB_FIELDS)[JobFieldName]['columns'][number];
/** Each column the table's fields fill, once, in the table's order. */
export const FILLED_COLUMNS = [...new Set(JOB_FIELD_ENTRIES.flatMap(([, field]) => field.columns))] as FilledColumn[];

type ValueOf<Field> = Field extends JobField<infer Value, unknown> ? Value : never;
type DraftOf<Field> = Field extends JobField<unknown, infer Draft> ? Draft : never;

/** Validated job fields: a field the client did not send is absent; one sent empty is null. */
export type JobFields = { -readonly [K in JobFieldName]?: ValueOf<(typeof JOB_FIELDS)[K]> | null };

type Held = { [K in JobFieldName]: DraftOf<(typeof JOB_FIELDS)[K]> };
type DraftName = { [K in JobFieldName]: [Held[K]] extends [never] ? never : K }[JobFieldName];

/**
 * A job as the vendor means it, keyed by field name, with look-ups resolved
 * to ids. A value the contract derives when absent (summary, location
 * display, close date, coordinates) is null here until the record is built.
 * A logo absent means the job keeps the logo it has.
 */
export type JobDraft = { -readonly [K in DraftName as undefined extends Held[K] ? never : K]: Held[K] } & {
  -readonly [K in DraftName as undefined extends Held[K] ? K : never]?: Held[K];
};

/** The fields a draft may hold null in: optional ones, and those derived while null. */
export type NullableFieldName = { [K in DraftName]: null extends Held[K] ? K : never }[DraftName];

/*
 * A required field with aliases is required under any one of its names
 * (job_category_id or R2's job_category): an anyOf of `required`, which an
 * R2 body satisfies.
 */
function bodySchema(requireFields: boolean): TObject {
  const properties: Record<string, TSchema> = {};
  const required: string[] = [];
  const requiredUnderAnyName: { anyOf: { required: string[] }[] }[] = [];
  for (const [name, field] of JOB_FIELD_ENTRIES) {
    const rule: FieldRule<unknown> = field.rule;
    properties[name] = rule.schema;
    for (const alias of rule.aliases) properties[alias] = { ...rule.schema, description: `Alias of ${name}` };
    if (!requireFields || !field.required) continue;
    if (rule.aliases.length === 0) required.push(name);
    else requiredUnderAnyName.push({ anyOf: [name, ...rule.aliases].map((key) => ({ required: [key] })) });
  }
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(requiredUnderAnyName.length > 0 ? { allOf: requiredUnderAnyName } : {}),
    additionalProperties: true,
  }) as TObject;
}

/** Documents the create body (OpenAPI); fields are checked by readJobFields. */
export const CreateJobBody = bodySchema(true);
/** Documents the update body: every field optional, absent ones are kept. */
export const UpdateJobBody = bodySchema(false);
