import type { Catalogue, LookupTable } from '../lookups/catalogue.ts';
import type { FieldErrors } from '../errors.ts';
import type { StoredJob } from './repository.ts';
import { addError, attributeName, type ReadFields } from './validation.ts';
import { JOB_FIELDS, type JobFieldName, type JobFields } from './schema.ts';
import { deriveCloseDate, deriveLocationDisplay, deriveSummary, normalisePostcode } from './derive.ts';
import { isHttpUrl } from './rules.ts';
import type { LogoChange } from '../media/logos.ts';

/**
 * A job as the vendor means it, with look-ups resolved to ids. A value the
 * contract derives when absent (summary, location display, close date,
 * coordinates) is null here until the record is built.
 */
export interface JobDraft {
  organisationId: number;
  categoryId: number;
  typeId: number;
  reference: string;
  title: string;
  summary: string | null;
  description: string;
  benefits: string | null;
  skills: string | null;
  openDate: string;
  closeDate: string | null;
  countryId: number;
  premise: string;
  subPremise: string | null;
  thoroughfare: string | null;
  locality: string | null;
  mainArea: string;
  subArea: string | null;
  postcode: string | null;
  locationDisplay: string | null;
  lat: number | null;
  lon: number | null;
  showMap: boolean;
  frequencyId: number;
  currencyId: number;
  salaryFrom: number | null;
  salaryTo: number | null;
  salaryText: string;
  applyTypeId: number;
  applyUrl: string | null;
  siteIds: number[];
  /** Absent: the job keeps the logo it has (it is not a column of the job, so a stored job's draft has none). */
  logo?: LogoChange;
}

/*
 * The stored job as a draft to update. A derived value that still equals
 * its derivation is left null, so it follows its sources when they change;
 * a value the vendor chose is kept. A display that does not fit its field
 * was derived before derived values were bounded, as no vendor's value is
 * over the limit: it follows its sources too, and is bounded from then on.
 */
export function draftFromJob({ job, postcode, sites }: StoredJob): JobDraft {
  const derivedOrNull = <T>(value: T, derived: T) => (value === derived ? null : value);
  const display = job.location_display;
  const displayFits = display === JOB_FIELDS.location_display.fit(display);
  return {
    organisationId: job.organisation_id,
    categoryId: job.job_category_id,
    typeId: job.job_type_id,
    reference: job.reference,
    title: job.title,
    summary: derivedOrNull(job.summary, deriveSummary(job.description)),
    description: job.description,
    benefits: job.benefits,
    skills: job.skills,
    openDate: job.open_date,
    closeDate: derivedOrNull(job.close_date, deriveCloseDate(job.open_date)),
    countryId: job.country_id,
    premise: job.premise,
    subPremise: job.sub_premise,
    thoroughfare: job.thoroughfare,
    locality: job.locality,
    mainArea: job.main_area,
    subArea: job.sub_area,
    postcode,
    locationDisplay: displayFits ? derivedOrNull(display, deriveLocationDisplay(job.main_area, job.sub_area)) : null,
    lat: job.geo_precision === 'given' ? job.geo_lat : null,
    lon: job.geo_precision === 'given' ? job.geo_lon : null,
    showMap: job.show_map === 1,
    frequencyId: job.salary_frequency_id,
    currencyId: job.salary_currency_id,
    salaryFrom: job.salary_from,
    salaryTo: job.salary_to,
    salaryText: job.salary_text,
    applyTypeId: job.apply_type_id,
    applyUrl: job.apply_url,
    siteIds: sites.map((site) => site.id),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface DraftOutcome {
  readonly draft?: JobDraft;
  readonly errors: FieldErrors;
}

/*
 * Applies the fields read from a request to a base draft (the stored job on
 * update, nothing on create), resolving look-ups and checking the rules that
 * span fields. Errors from reading the fields are carried along, so one 422
 * names every failing field.
 */
export function resolveDraft(
  catalogue: Catalogue,
  read: ReadFields,
  organisationId: number | undefined,
  base?: JobDraft,
): DraftOutcome {
  const { fields, sentAs } = read;
  const errors: FieldErrors = structuredClone(read.errors);
  const draft: Partial<JobDraft> = { ...base };
  const lookup = <Row extends { id: number }>(name: JobFieldName, table: LookupTable<Row>) => {
    const value = fields[name];
    if (typeof value !== 'string') return undefined;
    const row = table.find(value);
    if (!row) addError(errors, sentAs[name], `The selected ${attributeName(sentAs[name])} is invalid.`);
    return row?.id;
  };
  const set = <K extends keyof JobDraft>(key: K, value: JobDraft[K] | null | undefined) => {
    if (value !== undefined) draft[key] = value as JobDraft[K];
  };

  if (organisationId !== undefined) draft.organisationId = organisationId;
  set('categoryId', lookup('job_category_id', catalogue.jobCategories));
  set('typeId', lookup('job_type_id', catalogue.jobTypes));
  set('countryId', lookup('country_id', catalogue.countries));
  set('frequencyId', lookup('salary_frequency', catalogue.salaryFrequencies));
  set('currencyId', lookup('salary_currency', catalogue.currencies));
  set('applyTypeId', lookup('apply_type', catalogue.applyTypes));
  set('reference', fields.reference);
  set('title', fields.name);
  set('summary', fields.summary);
  set('description', fields.description);
  set('benefits', fields.benefits);
  set('skills', fields.skills);
  set('openDate', fields.open_date);
  set('closeDate', fields.close_date);
  set('premise', fields.premise);
  set('subPremise', fields.sub_premise);
  set('thoroughfare', fields.thoroughfare);
  set('locality', fields.locality);
  set('mainArea', fields.main_area);
  set('subArea', fields.sub_area);
  set('postcode', fields.postal_code === undefined || fields.postal_code === null ? fields.postal_code : normalisePostcode(fields.postal_code));
  set('locationDisplay', fields.location_display);
  set('lat', fields.location_geo_lat);
  set('lon', fields.location_geo_lon);
  set('showMap', fields.show_map ?? (base ? undefined : true));
  set('salaryFrom', fields.salary_from);
  set('salaryTo', fields.salary_to);
  set('salaryText', fields.salary_text);
  set('applyUrl', fields.apply_url);
  set('siteIds', fields.sites);
  set('logo', logoChange(fields));
  draft.benefits ??= null;
  draft.skills ??= null;
  for (const optional of ['summary', 'closeDate', 'subPremise', 'thoroughfare', 'locality', 'subArea', 'postcode',
    'locationDisplay', 'lat', 'lon', 'salaryFrom', 'salaryTo', 'applyUrl'] as const) {
    draft[optional] ??= null;
  }

  checkSpanningRules(catalogue, draft, read, errors);
  const complete = Object.keys(errors).length === 0;
  return complete ? { draft: draft as JobDraft, errors } : { errors };
}

/* A file or URL sent; null when one was sent empty and the other not filled in: the logo is removed. */
export function logoChange({ logo, logo_url: url }: JobFields): LogoChange | undefined {
  if (logo) return { file: logo };
  if (url) return { url };
  return logo === null || url === null ? null : undefined;
}

function checkSpanningRules(catalogue: Catalogue, draft: Partial<JobDraft>, read: ReadFields, errors: FieldErrors) {
  const { sentAs } = read;
  const failed = (name: JobFieldName) => errors[sentAs[name]] !== undefined || errors[name] !== undefined;
  if (draft.openDate && draft.closeDate && draft.closeDate < draft.openDate && !failed('close_date')) {
    addError(errors, sentAs.close_date, `The ${attributeName(sentAs.close_date)} must be a date after or equal to open date.`);
  }
  if (draft.salaryFrom != null && draft.salaryTo != null && draft.salaryTo < draft.salaryFrom && !failed('salary_to')) {
    addError(errors, sentAs.salary_to, 'The salary to must be greater than or equal to salary from.');
  }
  if ((draft.lat == null) !== (draft.lon == null) && !failed('location_geo_lat') && !failed('location_geo_lon')) {
    const missing = draft.lat == null ? 'location_geo_lat' : 'location_geo_lon';
    const present = missing === 'location_geo_lat' ? 'location geo lon' : 'location geo lat';
    addError(errors, missing, `The ${attributeName(missing)} field is required when ${present} is present.`);
  }
  if (read.fields.logo && read.fields.logo_url) addError(errors, 'logo_url', 'The logo url field must be missing when logo is present.');
  checkApplyUrl(catalogue, draft, read, errors);
}

function checkApplyUrl(catalogue: Catalogue, draft: Partial<JobDraft>, read: ReadFields, errors: FieldErrors) {
  const applyType = draft.applyTypeId === undefined ? undefined : catalogue.applyTypes.get(draft.applyTypeId);
  const key = read.sentAs.apply_url;
  const attribute = attributeName(key);
  if (!applyType || errors[key]) return;
  const wantsUrl = applyType.handle === 'REDIRECT' || applyType.handle === 'SIGNUP_WITHPOST';
  const wantsEmail = applyType.handle === 'EMAIL';
  if (!wantsUrl && !wantsEmail) return;
  if (!draft.applyUrl) {
    addError(errors, key, `The ${attribute} field is required when apply type is ${applyType.handle}.`);
  } else if (wantsUrl && !isHttpUrl(draft.applyUrl)) {
    addError(errors, key, `The ${attribute} format is invalid.`);
  } else if (wantsEmail && !EMAIL.test(draft.applyUrl)) {
    addError(errors, key, `The ${attribute} must be a valid email address.`);
  }
}
