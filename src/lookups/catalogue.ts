import type { Selectable } from 'kysely';
import type {
  CountriesTable,
  CurrenciesTable,
  Db,
  HandleLookupTable,
  JobCategoriesTable,
  JobTypesTable,
  LanguagesTable,
  SalaryFrequenciesTable,
} from '../db/types.ts';
import * as lookups from './repository.ts';

/** One look-up table held in memory, found by id or by its public key. */
export class LookupTable<Row extends { id: number }> {
  private readonly byId = new Map<number, Row>();
  private readonly byKey = new Map<string, Row>();

  constructor(
    readonly rows: readonly Row[],
    key: (row: Row) => string,
  ) {
    for (const row of rows) {
      this.byId.set(row.id, row);
      this.byKey.set(key(row).toUpperCase(), row);
    }
  }

  get(id: number): Row | undefined {
    return this.byId.get(id);
  }

  /** By id (a number or digits) or, case-insensitively, by handle or ISO code. */
  find(idOrKey: string | number): Row | undefined {
    if (typeof idOrKey === 'number') return this.byId.get(idOrKey);
    const text = idOrKey.trim();
    if (/^\d+$/.test(text)) return this.byId.get(Number(text));
    return this.byKey.get(text.toUpperCase());
  }
}

/*
 * Look-ups are reference data written only by seeding at start, so every
 * process may hold its own copy: validation and presenters read them
 * without a query.
 */
export interface Catalogue {
  countries: LookupTable<Selectable<CountriesTable>>;
  currencies: LookupTable<Selectable<CurrenciesTable>>;
  jobTypes: LookupTable<Selectable<JobTypesTable>>;
  jobCategories: LookupTable<Selectable<JobCategoriesTable>>;
  salaryFrequencies: LookupTable<Selectable<SalaryFrequenciesTable>>;
  applyTypes: LookupTable<Selectable<HandleLookupTable>>;
  languages: LookupTable<Selectable<LanguagesTable>>;
}

export async function loadCatalogue(db: Db): Promise<Catalogue> {
  const [countries, currencies, jobTypes, jobCategories, salaryFrequencies, applyTypes, languages] =
    await Promise.all([
      lookups.listCountries(db),
      lookups.listCurrencies(db),
      lookups.listJobTypes(db),
      lookups.listJobCategories(db),
      lookups.listSalaryFrequencies(db),
      lookups.listApplyTypes(db),
      lookups.listLanguages(db),
    ]);
  const byHandle = (row: { handle: string }) => row.handle;
  return {
    countries: new LookupTable(countries, (row) => row.iso),
    currencies: new LookupTable(currencies, (row) => row.iso_code),
    jobTypes: new LookupTable(jobTypes, byHandle),
    jobCategories: new LookupTable(jobCategories, byHandle),
    salaryFrequencies: new LookupTable(salaryFrequencies, byHandle),
    applyTypes: new LookupTable(applyTypes, byHandle),
    languages: new LookupTable(languages, (row) => row.iso_code),
  };
}
