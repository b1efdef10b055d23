import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialects/index.ts';

/*
 * A counter of changes to what an access token grants, so that each process
 * may keep resolved callers in memory and still see a revocation on the very
 * next request (src/auth/caller-cache.ts). The store's own triggers raise it,
 * in the transaction of the change, whichever code or operator makes it.
 */

/** The rows a caller is read from, and the changes to them that alter a caller. */
const WATCHED = [
  { table: 'access_tokens', events: ['update', 'delete'] },
  { table: 'api_clients', events: ['update', 'delete'] },
  { table: 'users', events: ['update', 'delete'] },
  // Not every update: a job posting spends the organisation's credits.
  { table: 'organisations', events: ['update of id, handle, name', 'delete'] },
  { table: 'memberships', events: ['insert', 'update', 'delete'] },
  { table: 'api_client_sites', events: ['insert', 'update', 'delete'] },
] as const;

const BUMP = 'update auth_generation set generation = generation + 1 where id = 1';

export async function up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('auth_generation')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into auth_generation (id, generation) values (1, 0)`.execute(db);
  if (dialect.name === 'sqlite') await createSqliteTriggers(db);
  else await createPostgresTriggers(db);
}

/* SQLite triggers take one event each and run per row; with one writer at a time, their order is free. */
async function createSqliteTriggers(db: Kysely<unknown>): Promise<void> {
  for (const { table, events } of WATCHED) {
    for (const event of events) {
      const name = `${table}_${event.split(' ')[0]}_auth_generation`;
      await sql`create trigger ${sql.id(name)} after ${sql.raw(event)} on ${sql.table(table)}
        begin ${sql.raw(BUMP)}; end`.execute(db);
    }
  }
}

/*
 * One trigger per table, run once per statement; truncate too, which skips
 * delete triggers. Before the statement, so that every writer locks the
 * counter before the rows it changes: after, a transaction revoking a
 * client's tokens and a statement revoking a family of them could each hold
 * what the other waits for, a deadlock. The function keeps the search_path
 * it was made with, so that a session set to another schema (an operator's
 * psql) still raises this store's counter.
 */
async function createPostgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create function bump_auth_generation() returns trigger language plpgsql
    set search_path from current as $$ begin ${sql.raw(BUMP)}; return null; end $$`.execute(db);
  for (const { table, events } of WATCHED) {
    await sql`create trigger ${sql.id(`${table}_auth_generation`)}
      before ${sql.raw([...events, 'truncate'].join(' or '))} on ${sql.table(table)}
      for each statement execute function bump_auth_generation()`.execute(db);
  }
}
