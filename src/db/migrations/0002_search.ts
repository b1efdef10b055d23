import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * Search: annual pay for salary filters, a folded title for suggestions,
 * indexes for the filters and the bounding box, and each store's own
 * full-text index.
 */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  for (const column of ['annual_salary_from', 'annual_salary_to']) {
    await db.schema.alterTable('jobs').addColumn(column, 'double precision').execute();
  }
  // Binary order on both stores (PostgreSQL's "C" collation), so a prefix is one index range.
  await db.schema
    .alterTable('jobs')
    .addColumn('title_key', 'text', (c) => {
      const column = c.notNull().defaultTo('');
      return dialect.name === 'postgres' ? column.modifyFront(sql`collate "C"`) : column;
    })
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

  if (dialect.name === 'sqlite') {
    await sql`create virtual table jobs_fts using fts5(
      title, summary, description, skills, reference, organisation,
      content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    await sql`create virtual table jobs_fts_prefix using fts5(
      title, skills, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3')`.execute(db);
  } else {
    await sql`alter table jobs add column search_vector tsvector, add column prefix_vector tsvector`.execute(db);
    await sql`create index jobs_search_vector_idx on jobs using gin (search_vector)`.execute(db);
    await sql`create index jobs_prefix_vector_idx on jobs using gin (prefix_vector)`.execute(db);
  }
}
