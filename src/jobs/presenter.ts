import type { Catalogue } from '../lookups/catalogue.ts';
import { dateToInstant, presentDate, presentOptionalDate } from '../http/dates.ts';
import type { StoredJob } from './repository.ts';
import { slugify } from './derive.ts';
import { logoPath } from '../media/logos.ts';
import { jobStatus } from '../tenancy/visibility.ts';

export interface PresentContext {
  readonly catalogue: Catalogue;
  readonly zone: string;
  readonly publicUrl: string;
  /** Today's date in UTC (YYYY-MM-DD), for the job's status. */
  readonly today: string;
}

const money = (value: number | null) => (value === null ? null : value.toFixed(2));

/* Slugs of recent titles: slugify (a Unicode normalisation and four regular expressions, about 0.8 µs) cost as much as the rest of presentJob's own work, and titles repeat. */
const SLUG_LIMIT = 10_000;
const slugsByTitle = new Map<string, string>();

function titleSlug(title: string): string {
  let slug = slugsByTitle.get(title);
  if (slug === undefined) {
    slug = slugify(title);
    if (slugsByTitle.size >= SLUG_LIMIT) slugsByTitle.clear();
    slugsByTitle.set(title, slug);
  }
  return slug;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`job refers to a missing ${what}`);
  return value;
}

/** The job resource in the contract's shape and key order. */
export function presentJob(stored: StoredJob, context: PresentContext) {
  const { job, organisation } = stored;
  const { catalogue, zone } = context;
  const country = must(catalogue.countries.get(job.country_id), 'country');
  const currency = must(catalogue.currencies.get(job.salary_currency_id), 'currency');
  const frequency = must(catalogue.salaryFrequencies.get(job.salary_frequency_id), 'salary frequency');
  const category = must(catalogue.jobCategories.get(job.job_category_id), 'category');
  const parent = category.parent_id === null ? undefined : catalogue.jobCategories.get(category.parent_id);
  const type = must(catalogue.jobTypes.get(job.job_type_id), 'job type');
  const language = must(catalogue.languages.get(job.language_id), 'language');
  const applyType = must(catalogue.applyTypes.get(job.apply_type_id), 'apply type');
  const self = `${context.publicUrl}/api/job/${job.id}`;
  return {
    id: job.id,
    reference: job.reference,
    number_applied: job.number_applied,
    job_title: job.title,
    job_title_suggest: {
      input: [job.title],
      output: job.title,
      payload: { id: job.id },
      context: { location: { lat: job.geo_lat, lon: job.geo_lon } },
    },
    slug: `${organisation.handle.toLowerCase()}/${job.id}/${titleSlug(job.title)}`,
    summary: job.summary,
    description: job.description,
    benefits: job.benefits,
    skills: job.skills,
    salary: {
      from: money(job.salary_from),
      to: money(job.salary_to),
      text: job.salary_text,
      frequency: frequency.handle,
      currency: { iso_code: currency.iso_code, symbol: currency.symbol, unicode: currency.unicode },
    },
    location: {
      display: job.location_display,
      postcode: job.postcode_id === null ? null : { id: job.postcode_id, postcode: stored.postcode },
      country: {
        id: country.id,
        iso: country.iso,
        name: country.name,
        geo: { lon: country.geo_lon, lat: country.geo_lat },
      },
      geo: { lon: String(job.geo_lon), lat: String(job.geo_lat) },
    },
    language: { data: { id: language.id, iso_code: language.iso_code, name: language.name } },
    open_date: presentDate(dateToInstant(job.open_date), zone),
    close_date: presentDate(dateToInstant(job.close_date), zone),
    created_at: presentDate(job.created_at, zone),
    updated_at: presentDate(job.updated_at, zone),
    deleted_at: presentOptionalDate(job.deleted_at, zone),
    category: {
      data: {
        id: category.id,
        handle: category.handle,
        parent: parent ? { id: parent.id, handle: parent.handle } : null,
      },
    },
    type: { data: { id: type.id, handle: type.handle } },
    media: {
      data: stored.logo ? [{ id: stored.logo.id, type: 'JOB_LOGO' as const, path: logoPath(context.publicUrl, stored.logo) }] : [],
    },
    address: {
      premise: job.premise,
      sub_premise: job.sub_premise,
      thoroughfare: job.thoroughfare,
      locality: job.locality,
      main_area: job.main_area,
      sub_area: job.sub_area,
      postcode: stored.postcode,
    },
    links: { self, apply: `${self}/apply` },
    organisation: { data: { id: organisation.id, handle: organisation.handle, name: organisation.name } },
    sites: { data: stored.sites },
    apply: { type: applyType.handle, url: job.apply_url },
    show_map: job.show_map === 1,
    status: jobStatus(job, context.today),
  };
}

export type JobResource = ReturnType<typeof presentJob>;
