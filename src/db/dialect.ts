import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  type ColumnDefinitionBuilder,
  type Dialect,
  PostgresDialect,
  SqliteDialect,
} from 'kysely';

/*
 * The dialect seam: the only place that knows which store is behind Kysely.
 * Migrations and repositories ask it for the few things that differ
 * (auto-increment keys, how a store is opened) and stay dialect-free.
 */

export type DialectName = 'sqlite' | 'postgres';

export interface StoreDialect {
  readonly name: DialectName;
  readonly kysely: Dialect;
  /** Defines an auto-incrementing integer primary key column. */
  readonly autoIncrementId: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  readonly autoIncrementType: 'integer' | 'serial';
}

export function dialectFor(databaseUrl: string): StoreDialect {
  if (databaseUrl.startsWith('sqlite:')) return sqliteDialect(databaseUrl.slice('sqlite:'.length));
  return postgresDialect(databaseUrl);
}

function sqliteDialect(location: string): StoreDialect {
  const file = location === ':memory:' ? location : resolve(location);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // Writers in other processes wait for the lock instead of failing at once.
  database.pragma('busy_timeout = 5000');
  return {
    name: 'sqlite',
    kysely: new SqliteDialect({ database }),
    autoIncrementId: (column) => column.primaryKey().autoIncrement(),
    autoIncrementType: 'integer',
  };
}

function postgresDialect(url: string): StoreDialect {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool }),
    autoIncrementId: (column) => column.primaryKey(),
    autoIncrementType: 'serial',
  };
}
