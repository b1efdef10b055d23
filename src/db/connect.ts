import { Kysely } from 'kysely';
import { dialectFor, type StoreDialect } from './dialect.ts';
import type { Database } from './types.ts';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
}

export function openStore(databaseUrl: string): Store {
  const dialect = dialectFor(databaseUrl);
  return { db: new Kysely<Database>({ dialect: dialect.kysely }), dialect };
}
