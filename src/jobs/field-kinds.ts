import type { Tx } from '../db/types.ts';
import type { FieldErrors } from '../errors.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import type { LogoChange } from '../media/logos.ts';
import type { ImageFile } from '../media/images.ts';
import { geocodeAddress } from '../geo/gazetteer.ts';
import { titleKey } from '../search/title-key.ts';
import { addError, attributeName, type FieldRule, type TextRule } from './rules.ts';
import type { JobRead, NewJob, StoredJob } from './repository.ts';
import type { JobFieldName, JobFields } from './schema.ts';

/*
 * The kinds of job field in the field table (schema.ts): how each carries a
 * value from the request into the draft, from a stored job into the draft an
 * update starts from, and from the draft into the job's columns. Draft,
 * validation and record loop over the table, so a field's mapping is stated
 * once, beside its rule. The draft is keyed by field name.
 */

/** The columns a draft is stored as. */
export type JobColumns = Omit<NewJob, 'api_client_id' | 'created_by_user_id' | 'created_at' | 'updated_at'>;
type PlainColumn = keyof JobColumns & keyof JobRead;

/** What a field needs to turn the value read into the draft's value, and what the cross-field rules check. */
export interface DraftContext {
  readonly catalogue: Catalogue;
  readonly fields: JobFields;
  /** For each field, the name the client sent it as: errors are keyed and worded by it. */
  readonly sentAs: Record<JobFieldName, string>;
  readonly errors: FieldErrors;
  /** The organisation the caller may post for, when the request named one. */
  readonly organisationId: number | undefined;
}

/** What a field needs to fill its columns. */
export interface RecordContext {
  readonly tx: Tx;
  readonly catalogue: Catalogue;
  readonly columns: Partial<JobColumns>;
  /** The id of a postcode's row, added when new (repository.ts, which reads the table's columns, so is not imported here). */
  readonly findOrCreatePostcode: (tx: Tx, countryId: number, postcode: string) => Promise<number>;
}

/** What derivations read: named alike in the draft and in the stored job. */
export type DerivationSources = Pick<JobRead, 'description' | 'open_date' | 'main_area' | 'sub_area'>;

/*
 * The draft's values that a field's columns depend on besides its own: the
 * derivations' sources, the address geocoded, the country of a postcode row,
 * the frequency of yearly salaries. Named here rather than taken from
 * JobDraft, which the table's own types are computed from.
 */
export interface RecordSources extends DerivationSources {
  readonly country_id: number;
  readonly locality: string | null;
  readonly postal_code: string | null;
  readonly location_geo_lat: number | null;
  readonly location_geo_lon: number | null;
  readonly salary_frequency: number;
}

export interface JobField<Value, Draft, Column extends keyof JobColumns = keyof JobColumns> {
  readonly rule: FieldRule<Value>;
  /** The columns it fills: with the few no field fills, every column of a job (the repository's column list). */
  readonly columns: readonly Column[];
  /** Required on create, and never empty. */
  readonly required: boolean;
  /** The draft's value on create when the field is absent; undefined for none (a required field fails instead). */
  readonly absent?: Draft;
  /** The draft's value for the value read (null: sent empty); undefined keeps the stored job's. */
  toDraft(value: Value | null | undefined, name: JobFieldName, context: DraftContext): Draft | undefined;
  /** The value an update's draft starts from; undefined for none. */
  fromStored(stored: StoredJob): Draft | undefined;
  /** Fills the columns the field is stored in; returns a promise only when it must use the store. */
  toColumns(value: Draft, draft: RecordSources, context: RecordContext): void | Promise<void>;
}

/* Columns are filled by the names the table gives, so the compiler cannot pair each with its value's type. */
function fill(context: RecordContext, column: keyof JobColumns, value: unknown): void {
  (context.columns as Record<string, unknown>)[column] = value;
}

/** A required field stored as sent in this column. */
export function required<Value, Column extends PlainColumn>(column: Column, rule: FieldRule<Value>): JobField<Value, Value, Column> {
  return {
    rule,
    columns: [column],
    required: true,
    toDraft: (value) => value ?? undefined,
    fromStored: ({ job }) => job[column] as Value,
    toColumns: (value, _draft, context) => fill(context, column, value),
  };
}

/** An optional field stored as sent in this column; sent empty, or absent on create, it is null. */
export function optional<Value, Column extends PlainColumn>(column: Column, rule: FieldRule<Value>): JobField<Value, Value | null, Column> {
  return {
    rule,
    columns: [column],
    required: false,
    absent: null,
    toDraft: (value) => value,
    fromStored: ({ job }) => job[column] as Value | null,
    toColumns: (value, _draft, context) => fill(context, column, value),
  };
}

/** A required look-up by id or handle in a table of the catalogue, stored as the id of its row. */
export function lookup<Column extends PlainColumn>(column: Column, table: keyof Catalogue, rule: FieldRule<string>): JobField<string, number, Column> {
  return {
    rule,
    columns: [column],
    required: true,
    toDraft(value, name, { catalogue, sentAs, errors }) {
      if (typeof value !== 'string') return undefined;
      const row = catalogue[table].find(value);
      if (!row) addError(errors, sentAs[name], `The selected ${attributeName(sentAs[name])} is invalid.`);
      return row?.id;
    },
    fromStored: ({ job }) => job[column] as number,
    toColumns: (id, _draft, context) => fill(context, column, id),
  };
}

export interface DerivedField<Sources, Column extends PlainColumn> extends JobField<string, string | null, Column> {
  readonly derive: (job: Sources) => string;
}

/*
 * An optional value the server derives when the vendor leaves it out. The
 * draft holds null for a derived value, so that it follows its sources on
 * update; a stored value that equals its derivation was derived, one that
 * differs was the vendor's and is kept.
 */
export function derived<Sources extends Partial<DerivationSources>, Column extends PlainColumn>(
  column: Column,
  rule: FieldRule<string>,
  derive: (job: Sources) => string,
): DerivedField<Sources, Column> {
  // A derivation reads some of the sources; the draft and the stored job both carry them all.
  const sources = (job: DerivationSources) => job as Sources;
  return {
    ...optional<string, Column>(column, rule),
    derive,
    fromStored: ({ job }) => (job[column] === derive(sources(job)) ? null : (job[column] as string)),
    toColumns: (value, draft, context) => fill(context, column, value ?? derive(sources(draft))),
  };
}

/*
 * A derived text, cut to the limit of the field it fills. With
 * overLimitWasDerived, a stored value over the limit follows its sources
 * too: no vendor's value is over it, so it was derived before derived
 * values were bounded, and is bounded from then on.
 */
export function derivedText<Sources extends Partial<DerivationSources>, Column extends PlainColumn>(
  column: Column,
  rule: TextRule,
  derive: (job: Sources) => string,
  options: { overLimitWasDerived?: boolean } = {},
): DerivedField<Sources, Column> {
  const field = derived(column, rule, (job: Sources) => rule.fit(derive(job)));
  if (!options.overLimitWasDerived) return field;
  return {
    ...field,
    fromStored: (stored) => {
      const value = stored.job[column] as string;
      return value === rule.fit(value) ? field.fromStored(stored) : null;
    },
  };
}

/** The organisation, named by handle and resolved by the service's authorisation (its 403 comes before any 422). */
export function organisation(rule: FieldRule<string>): JobField<string, number, 'organisation_id'> {
  return {
    rule,
    columns: ['organisation_id'],
    required: true,
    toDraft: (_value, _name, { organisationId }) => organisationId,
    fromStored: ({ job }) => job.organisation_id,
    toColumns: (id, _draft, context) => fill(context, 'organisation_id', id),
  };
}

/** The job title, stored with its key for suggestions (search/title-key.ts). */
export function title(rule: FieldRule<string>): JobField<string, string, 'title' | 'title_key'> {
  return {
    ...required('title', rule),
    columns: ['title', 'title_key'],
    toColumns(value, _draft, context) {
      fill(context, 'title', value);
      fill(context, 'title_key', titleKey(value));
    },
  };
}

export interface PostcodeField extends JobField<string, string | null, 'postcode_id'> {
  /** The postcode as stored, within the field's limit (normalising may lengthen it). */
  readonly normalise: (postcode: string) => string;
}

/** A postcode, normalised in the draft and stored as the id of its row in the postcode table. */
export function postcode(rule: TextRule, normalise: (postcode: string) => string): PostcodeField {
  const normaliseWithin = (value: string) => rule.fit(normalise(value));
  return {
    rule,
    columns: ['postcode_id'],
    required: false,
    absent: null,
    normalise: normaliseWithin,
    toDraft: (value) => (typeof value === 'string' ? normaliseWithin(value) : value),
    fromStored: (stored) => stored.postcode,
    toColumns(value, draft, context) {
      if (!value) return fill(context, 'postcode_id', null);
      return context.findOrCreatePostcode(context.tx, draft.country_id, value).then((id) => fill(context, 'postcode_id', id));
    },
  };
}

/** Where a job is: the vendor's coordinates, else the address geocoded offline. */
function locate(catalogue: Catalogue, draft: RecordSources) {
  const { location_geo_lat: lat, location_geo_lon: lon } = draft;
  if (lat !== null && lon !== null) return { lat, lon, precision: 'given' };
  const country = catalogue.countries.get(draft.country_id);
  if (!country) throw new Error(`unknown country ${draft.country_id}`);
  return geocodeAddress(
    { countryIso: country.iso, mainArea: draft.main_area, subArea: draft.sub_area, locality: draft.locality, postcode: draft.postal_code },
    { lat: country.geo_lat, lon: country.geo_lon },
  );
}

/* Both coordinates of a record take the same place: the address is geocoded once for the two. */
const placeOfRecord = new WeakMap<RecordContext, ReturnType<typeof locate>>();

function locateOnce(context: RecordContext, draft: RecordSources) {
  let place = placeOfRecord.get(context);
  if (!place) {
    place = locate(context.catalogue, draft);
    placeOfRecord.set(context, place);
  }
  return place;
}

/*
 * One of the vendor's coordinates (they go together, a cross-field rule).
 * Absent, the address is geocoded; geo_precision says which it was, so an
 * update keeps only coordinates the vendor gave.
 */
export function coordinate(axis: 'lat' | 'lon', rule: FieldRule<number>): JobField<number, number | null, 'geo_lat' | 'geo_lon' | 'geo_precision'> {
  const column = axis === 'lat' ? 'geo_lat' : 'geo_lon';
  return {
    ...optional<number, typeof column>(column, rule),
    columns: [column, 'geo_precision'],
    fromStored: ({ job }) => (job.geo_precision === 'given' ? job[column] : null),
    toColumns(_value, draft, context) {
      const place = locateOnce(context, draft);
      fill(context, column, place[axis]);
      fill(context, 'geo_precision', place.precision);
    },
  };
}

/** Whether the board shows a map: true unless the vendor says otherwise; stored as 0 or 1. */
export function showMap(rule: FieldRule<boolean>): JobField<boolean, boolean, 'show_map'> {
  return {
    rule,
    columns: ['show_map'],
    required: false,
    absent: true,
    toDraft: (value) => value ?? undefined,
    fromStored: ({ job }) => job.show_map === 1,
    toColumns: (value, _draft, context) => fill(context, 'show_map', value ? 1 : 0),
  };
}

/** An amount of the salary, stored beside its yearly amount (for filters and sorting across frequencies). */
export function salary<Column extends 'salary_from' | 'salary_to'>(
  column: Column,
  rule: FieldRule<number>,
): JobField<number, number | null, Column | `annual_${Column}`> {
  const annualColumn = `annual_${column}` as const;
  return {
    ...optional<number, Column>(column, rule),
    columns: [column, annualColumn],
    toColumns(value, draft, context) {
      const perYear = context.catalogue.salaryFrequencies.get(draft.salary_frequency)?.per_year ?? 1;
      fill(context, column, value);
      fill(context, annualColumn, value === null ? null : value * perYear);
    },
  };
}

/** The sites a job is posted to: rows of job_sites, which the service writes, not columns. */
export function sites(rule: FieldRule<number[]>): JobField<number[], number[], never> {
  return {
    rule,
    columns: [],
    required: true,
    toDraft: (value) => value ?? undefined,
    fromStored: (stored) => stored.sites.map((site) => site.id),
    toColumns: () => undefined,
  };
}

/* A file or URL sent; null when one was sent empty and the other not filled in: the logo is removed. */
export function logoChange({ logo, logo_url: url }: JobFields): LogoChange | undefined {
  if (logo) return { file: logo };
  if (url) return { url };
  return logo === null || url === null ? null : undefined;
}

/*
 * The logo, a file or (through logo_url) a URL: a row of job_media, which
 * the service writes, not a column. Absent, the job keeps the logo it has.
 */
export function logo(rule: FieldRule<ImageFile>): JobField<ImageFile, LogoChange | undefined, never> {
  return {
    rule,
    columns: [],
    required: false,
    toDraft: (_value, _name, { fields }) => logoChange(fields),
    fromStored: () => undefined,
    toColumns: () => undefined,
  };
}

/** A field read and checked with the others whose value another field's mapping takes (logo_url, by logo). */
export function readByAnother<Value>(rule: FieldRule<Value>): JobField<Value, never, never> {
  return { rule, columns: [], required: false, toDraft: () => undefined, fromStored: () => undefined, toColumns: () => undefined };
}
