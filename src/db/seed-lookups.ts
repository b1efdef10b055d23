import type { Db } from './types.ts';
import {
  applyTypes,
  categories,
  countries,
  currencies,
  jobTypes,
  languages,
  salaryFrequencies,
} from '../lookups/data/index.ts';

const BATCH = 200;

/*
 * Look-up rows are inserted by id and never overwritten, so ids stay what a
 * vendor once saw, and rows added in a later release arrive on the next start.
 */
export async function seedLookups(db: Db, now: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await insertMissing(tx, 'countries', countries.map((c) => ({
      id: c.id, iso: c.iso, iso3: c.iso3, name: c.name, geo_lat: c.lat, geo_lon: c.lon,
    })));
    await insertMissing(tx, 'currencies', currencies.map((c) => ({
      id: c.id, iso_code: c.isoCode, name: c.name, symbol: c.symbol, unicode: c.unicode,
    })));
    await insertMissing(tx, 'job_types', jobTypes.map((t) => ({
      id: t.id, handle: t.handle, name: t.name, created_at: now, updated_at: now,
    })));
    await insertMissing(tx, 'job_categories', parentsFirst(categories).map((c) => ({
      id: c.id, handle: c.handle, name: c.name, parent_id: c.parentId, created_at: now, updated_at: now,
    })));
    await insertMissing(tx, 'salary_frequencies', salaryFrequencies.map((f) => ({
      id: f.id, handle: f.handle, name: f.name, per_year: f.perYear,
    })));
    await insertMissing(tx, 'apply_types', applyTypes.map((a) => ({ id: a.id, handle: a.handle, name: a.name })));
    await insertMissing(tx, 'languages', languages.map((l) => ({ id: l.id, iso_code: l.isoCode, name: l.name })));
  });
}

/** Parents precede children so each batch satisfies the parent foreign key. */
function parentsFirst<T extends { parentId: number | null }>(rows: readonly T[]): T[] {
  const depth = (row: T) => (row.parentId === null ? 0 : row.parentId === 1 ? 1 : 2);
  return [...rows].sort((a, b) => depth(a) - depth(b));
}

type LookupTable =
  | 'countries' | 'currencies' | 'job_types' | 'job_categories'
  | 'salary_frequencies' | 'apply_types' | 'languages';

async function insertMissing(db: Db, table: LookupTable, rows: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    await db
      .insertInto(table)
      .values(rows.slice(start, start + BATCH) as never)
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
  }
}
