import { type Kysely, sql } from 'kysely';

/*
 * A counter of changes to what an access token grants, so that each process
 * may keep resolved callers in memory and still see a revocation on the very
 * next request (src/auth/caller-cache.ts). The store's own triggers raise it,
 * in the transaction of the change, whichever code or operator makes it
 * (each store's triggers: src/db/dialects/*-migrations.ts).
 */

/** The rows a caller is read from, and the changes to them that alter a caller. */
export const WATCHED_BY_AUTH_GENERATION = [
  { table: 'access_tokens', events: ['update', 'delete'] },
  { table: 'api_clients', events: ['update', 'delete'] },
  { table: 'users', events: ['update', 'delete'] },
  // Not every update: a job posting spends the organisation's credits.
  { table: 'organisations', events: ['update of id, handle, name', 'delete'] },
  { table: 'memberships', events: ['insert', 'update', 'delete'] },
  { table: 'api_client_sites', events: ['insert', 'update', 'delete'] },
] as const;

export const BUMP_AUTH_GENERATION = 'update auth_generation set generation = generation + 1 where id = 1';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auth_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into auth_generation (id, generation) values (1, 0)`.execute(db);
}
