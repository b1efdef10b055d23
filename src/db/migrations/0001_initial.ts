import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/* The v1 schema: tenancy, credentials, look-ups and jobs. */
export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const id = (table: string) =>
    db.schema.createTable(table).addColumn('id', dialect.autoIncrementType, dialect.autoIncrementId);
  const fixedId = (table: string) =>
    db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey());

  await id('sites')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await id('organisations')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credits', 'integer', (c) => c.check(sql`credits >= 0`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await id('users')
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organisation_id', 'integer', (c) =>
      c.notNull().references('organisations.id').onDelete('cascade'),
    )
    .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'organisation_id'])
    .execute();

  await id('api_clients')
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('vendor').check(sql`kind in ('vendor', 'board')`))
    .addColumn('allow_basic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_client_sites')
    .addColumn('api_client_id', 'integer', (c) =>
      c.notNull().references('api_clients.id').onDelete('cascade'),
    )
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('api_client_sites_pk', ['api_client_id', 'site_id'])
    .execute();

  for (const table of ['access_tokens', 'refresh_tokens']) {
    let builder = id(table)
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('api_client_id', 'integer', (c) =>
        c.notNull().references('api_clients.id').onDelete('cascade'),
      )
      // No user on a board client's token (client_credentials); refresh tokens always have one.
      .addColumn('user_id', 'integer', (c) =>
        (table === 'refresh_tokens' ? c.notNull() : c).references('users.id').onDelete('cascade'),
      )
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull());
    if (table === 'refresh_tokens') builder = builder.addColumn('used_at', 'text');
    await builder.execute();
    await db.schema.createIndex(`${table}_family_idx`).on(table).column('family').execute();
  }

  await fixedId('countries')
    .addColumn('iso', 'text', (c) => c.notNull().unique())
    .addColumn('iso3', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('geo_lat', 'double precision', (c) => c.notNull())
    .addColumn('geo_lon', 'double precision', (c) => c.notNull())
    .execute();

  await fixedId('currencies')
    .addColumn('iso_code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('unicode', 'text', (c) => c.notNull())
    .execute();

  await fixedId('job_types')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await fixedId('job_categories')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('job_categories.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await fixedId('salary_frequencies')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('per_year', 'integer', (c) => c.notNull())
    .execute();

  await fixedId('apply_types')
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await fixedId('languages')
    .addColumn('iso_code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await id('postcodes')
    .addColumn('country_id', 'integer', (c) => c.notNull().references('countries.id'))
    .addColumn('postcode', 'text', (c) => c.notNull())
    .addUniqueConstraint('postcodes_country_postcode_unique', ['country_id', 'postcode'])
    .execute();

  await id('jobs')
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('benefits', 'text')
    .addColumn('skills', 'text')
    .addColumn('open_date', 'text', (c) => c.notNull())
    .addColumn('close_date', 'text', (c) => c.notNull())
    .addColumn('country_id', 'integer', (c) => c.notNull().references('countries.id'))
    .addColumn('premise', 'text', (c) => c.notNull())
    .addColumn('sub_premise', 'text')
    .addColumn('thoroughfare', 'text')
    .addColumn('locality', 'text')
    .addColumn('main_area', 'text', (c) => c.notNull())
    .addColumn('sub_area', 'text')
    .addColumn('postcode_id', 'integer', (c) => c.references('postcodes.id'))
    .addColumn('location_display', 'text', (c) => c.notNull())
    .addColumn('geo_lat', 'double precision', (c) => c.notNull())
    .addColumn('geo_lon', 'double precision', (c) => c.notNull())
    .addColumn('geo_precision', 'text', (c) => c.notNull())
    .addColumn('show_map', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('salary_from', 'double precision')
    .addColumn('salary_to', 'double precision')
    .addColumn('salary_text', 'text', (c) => c.notNull())
    .addColumn('salary_frequency_id', 'integer', (c) =>
      c.notNull().references('salary_frequencies.id'),
    )
    .addColumn('salary_currency_id', 'integer', (c) => c.notNull().references('currencies.id'))
    .addColumn('apply_type_id', 'integer', (c) => c.notNull().references('apply_types.id'))
    .addColumn('apply_url', 'text')
    .addColumn('job_category_id', 'integer', (c) => c.notNull().references('job_categories.id'))
    .addColumn('job_type_id', 'integer', (c) => c.notNull().references('job_types.id'))
    .addColumn('language_id', 'integer', (c) => c.notNull().references('languages.id'))
    .addColumn('number_applied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_client_id', 'integer', (c) => c.notNull().references('api_clients.id'))
    .addColumn('created_by_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();

  // The reference rule lives in the store, so racing creates cannot both win.
  await db.schema
    .createIndex('jobs_live_reference_unique')
    .on('jobs')
    .columns(['organisation_id', 'reference'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('jobs_organisation_listing_idx')
    .on('jobs')
    .columns(['organisation_id', 'deleted_at', 'id'])
    .execute();

  await db.schema
    .createTable('job_sites')
    .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id'))
    .addPrimaryKeyConstraint('job_sites_pk', ['job_id', 'site_id'])
    .execute();
  await db.schema.createIndex('job_sites_site_idx').on('job_sites').columns(['site_id', 'job_id']).execute();
}
