import type { Catalogue } from './catalogue.ts';
import { presentDate } from '../http/dates.ts';

type Dated = { created_at: string; updated_at: string };

function presentTimestamps(row: Dated, zone: string) {
  return { created_at: presentDate(row.created_at, zone), updated_at: presentDate(row.updated_at, zone) };
}

export function presentCountries(catalogue: Catalogue) {
  return catalogue.countries.rows.map((c) => ({ id: c.id, iso: c.iso, name: c.name }));
}

export function presentJobTypes(catalogue: Catalogue, zone: string) {
  return catalogue.jobTypes.rows.map((t) => ({ id: t.id, handle: t.handle, name: t.name, ...presentTimestamps(t, zone) }));
}

export function presentJobCategories(catalogue: Catalogue, zone: string) {
  return catalogue.jobCategories.rows.map((c) => ({
    id: c.id,
    handle: c.handle,
    name: c.name,
    parent_id: c.parent_id,
    ...presentTimestamps(c, zone),
  }));
}

const handleItem = (row: { id: number; handle: string; name: string }) => ({ id: row.id, handle: row.handle, name: row.name });

export function presentOptions(catalogue: Catalogue, zone: string) {
  return {
    country: catalogue.countries.rows.map((c) => ({ id: c.id, iso: c.iso, name: c.name, geo_lon: c.geo_lon, geo_lat: c.geo_lat })),
    job_type: catalogue.jobTypes.rows.map(handleItem),
    job_category: presentJobCategories(catalogue, zone),
    salary_currency: catalogue.currencies.rows.map((c) => ({ id: c.id, iso_code: c.iso_code, symbol: c.symbol, unicode: c.unicode })),
    salary_frequency: catalogue.salaryFrequencies.rows.map(handleItem),
    apply_type: catalogue.applyTypes.rows.map(handleItem),
  };
}
