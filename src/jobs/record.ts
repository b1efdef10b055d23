import type { Tx } from '../db/types.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import { geocodeAddress } from '../geo/gazetteer.ts';
import type { JobDraft } from './draft.ts';
import { findOrCreatePostcode, type NewJob } from './repository.ts';
import { deriveCloseDate, deriveLocationDisplay, deriveSummary } from './derive.ts';
import { titleKey } from '../search/title-key.ts';

const ENGLISH = 'en';

type JobColumns = Omit<NewJob, 'api_client_id' | 'created_by_user_id' | 'created_at' | 'updated_at'>;

/** Where a job is: the vendor's coordinates, else the address geocoded offline. */
function locate(catalogue: Catalogue, draft: JobDraft) {
  if (draft.lat !== null && draft.lon !== null) return { lat: draft.lat, lon: draft.lon, precision: 'given' };
  const country = catalogue.countries.get(draft.countryId);
  if (!country) throw new Error(`unknown country ${draft.countryId}`);
  return geocodeAddress(
    {
      countryIso: country.iso,
      mainArea: draft.mainArea,
      subArea: draft.subArea,
      locality: draft.locality,
      postcode: draft.postcode,
    },
    { lat: country.geo_lat, lon: country.geo_lon },
  );
}

/** The columns a draft is stored as, with every derived value filled in. */
export async function draftToRecord(tx: Tx, catalogue: Catalogue, draft: JobDraft): Promise<JobColumns> {
  const place = locate(catalogue, draft);
  const language = catalogue.languages.find(ENGLISH);
  const perYear = catalogue.salaryFrequencies.get(draft.frequencyId)?.per_year ?? 1;
  const annual = (amount: number | null) => (amount === null ? null : amount * perYear);
  return {
    organisation_id: draft.organisationId,
    reference: draft.reference,
    title: draft.title,
    title_key: titleKey(draft.title),
    summary: draft.summary ?? deriveSummary(draft.description),
    description: draft.description,
    benefits: draft.benefits,
    skills: draft.skills,
    open_date: draft.openDate,
    close_date: draft.closeDate ?? deriveCloseDate(draft.openDate),
    country_id: draft.countryId,
    premise: draft.premise,
    sub_premise: draft.subPremise,
    thoroughfare: draft.thoroughfare,
    locality: draft.locality,
    main_area: draft.mainArea,
    sub_area: draft.subArea,
    postcode_id: draft.postcode ? await findOrCreatePostcode(tx, draft.countryId, draft.postcode) : null,
    location_display: draft.locationDisplay ?? deriveLocationDisplay(draft.mainArea, draft.subArea),
    geo_lat: place.lat,
    geo_lon: place.lon,
    geo_precision: place.precision,
    show_map: draft.showMap ? 1 : 0,
    salary_from: draft.salaryFrom,
    salary_to: draft.salaryTo,
    annual_salary_from: annual(draft.salaryFrom),
    annual_salary_to: annual(draft.salaryTo),
    salary_text: draft.salaryText,
    salary_frequency_id: draft.frequencyId,
    salary_currency_id: draft.currencyId,
    apply_type_id: draft.applyTypeId,
    apply_url: draft.applyUrl,
    job_category_id: draft.categoryId,
    job_type_id: draft.typeId,
    language_id: language?.id ?? 1,
  };
}
