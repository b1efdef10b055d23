import { Kysely } from 'kysely';
import { dialectFor, type StoreDialect, type StoreOptions } from './dialects/index.ts';
import type { Database } from './types.ts';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
}

export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  const dialect = dialectFor(databaseUrl, options);
  return { db: new Kysely<Database>({ dialect: dialect.kysely }), dialect };
}
