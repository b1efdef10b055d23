import { Kysely, sql } from 'kysely';
import { dialectFor, type StoreDialect, type StoreOptions } from './dialects/index.ts';
import type { Database } from './types.ts';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
}

/** Throws unless the store answers a query: what readiness and start-up ask. */
export async function pingStore(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}

export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  const dialect = dialectFor(databaseUrl, options);
  return { db: new Kysely<Database>({ dialect: dialect.kysely }), dialect };
}
