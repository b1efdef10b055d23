import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * Search: annual pay for salary filters, a folded title for suggestions,
 * indexes for the filters and the bounding box; each store then makes its
 * own full-text index (src/db/dialects/*-migrations.ts).
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  for (const column of ['annual_salary_from', 'annual_salary_to']) {
    await db.schema.alterTable('jobs').addColumn(column, 'double precision').execute();
  }
  // Binary order on both stores (PostgreSQL's "C" collation), so a prefix is one index range.
  await db.schema
    .alterTable('jobs')
    .addColumn('title_key', 'text', (c) => dialect.sortsByBytes(c.notNull().defaultTo('')))
    .execute();

  const index = (name: string, columns: string[]) => db.schema.createIndex(name).on('jobs').columns(columns).execute();
  await index('jobs_geo_idx', ['geo_lat', 'geo_lon']);
  await index('jobs_title_key_idx', ['title_key']);
  await index('jobs_close_date_idx', ['close_date']);
  await index('jobs_open_date_idx', ['open_date']);
  await index('jobs_category_idx', ['job_category_id']);
  await index('jobs_type_idx', ['job_type_id']);
  await index('jobs_country_idx', ['country_id']);
  // Covers a vendor's facet counts: the group-bys read this index alone, not the rows.
  await index('jobs_facets_idx', [
    'organisation_id', 'deleted_at', 'country_id', 'job_category_id', 'job_type_id',
    'salary_currency_id', 'annual_salary_to', 'annual_salary_from', 'open_date', 'close_date',
  ]);
}
