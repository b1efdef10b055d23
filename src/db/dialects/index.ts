import type { ColumnDefinitionBuilder, Dialect, Kysely, RawBuilder } from 'kysely';
import type { ClaimDue } from './delivery-claims.ts';
import type { FullTextEngine } from '../../search/engine.ts';
import type { ChangeStamp } from '../change-stamp.ts';
import type { MigrationName } from '../migrate.ts';
import type { RowLock, Transact } from '../group-commit.ts';
import type { Db, Executor, Tx } from '../types.ts';
import { postgresDialect } from './postgres.ts';
import type { PostgresTimeouts } from './postgres-timeouts.ts';
import { sqliteDialect } from './sqlite.ts';
import type { LockWaits } from './sqlite-driver.ts';
import { sqliteFileOf } from './store-url.ts';

/*
 * The dialect seam: the only code that knows which store is behind Kysely.
 * Each store is one object (sqlite.ts, postgres.ts) holding everything that
 * differs between them; the rest of the server asks it for a capability. It
 * has no name to test, on purpose.
 */

export interface StoreDialect {
  readonly kysely: Dialect;
  /** Defines an auto-incrementing integer primary key column. */
  readonly autoIncrementId: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  readonly autoIncrementType: 'integer' | 'serial';
  /** Makes a text column sort by its bytes, so that a prefix is one range of its index. */
  readonly sortsByBytes: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** What this store runs of a migration after the part both stores share. */
  readonly migrationSteps: MigrationSteps;
  /** The PostgreSQL schema holding the tables, when not the default. */
  readonly schema?: string;
  /** The schema Kysely's introspection lists this store's tables under; undefined where it names none. */
  readonly introspectedSchema: string | undefined;
  /** Runs once before migrations: whatever the store needs to exist first. */
  readonly prepare: (db: Kysely<unknown>) => Promise<void>;
  /**
   * Empties the audit trail in this transaction, its append-only guard lifted
   * for that alone: the one deliberate exception, for `store copy --force`
   * replacing a whole store, its history included.
   */
  readonly eraseAuditTrail: (tx: Kysely<unknown>) => Promise<void>;
  /** After rows were inserted with their ids: new rows must get ids above them. */
  readonly resetSequences: (db: Kysely<unknown>, tables: readonly string[]) => Promise<void>;
  /** How this store finds jobs by keyword. */
  readonly fullText: FullTextEngine;
  /** The clause a write appends to its reads, to keep those rows until it commits. */
  readonly rowLock: RowLock;
  /** How writes get their transactions. */
  readonly transact: (db: Db) => Transact;
  /** Holds a lock on (lockClass, key) until the transaction ends, against other transactions taking the same. */
  readonly lockUntilEnd: (tx: Tx, lockClass: number, key: number) => Promise<void>;
  /** A value that moves whenever another connection changed the jobs. */
  readonly changeStamp: (db: Executor) => ChangeStamp;
  /** Bound parameters one statement may carry. */
  readonly maxBindParameters: number;
  /** Bulk loads write this many batches at once. */
  readonly concurrentBulkWrites: number;
  /** Brings the planner's statistics up to date after a bulk load. */
  readonly refreshStatistics: (db: Db) => Promise<void>;
  /** Claims due deliveries for one worker until a lease ends, so that no two workers send one (delivery-claims.ts). */
  readonly claimDue: ClaimDue;
  /** Appended to a select inside a transaction: the rows it takes are its own, those another transaction took are passed over. */
  readonly takeUnlocked: RawBuilder<unknown>;
  /** The connection pool's state now, for the metrics; undefined where there is no pool (SQLite: one connection). */
  readonly poolUse?: () => PoolUse;
  /** SQLite: statements that waited for another process's write lock, and those that gave up; undefined on PostgreSQL. */
  readonly lockWaits?: () => Readonly<LockWaits>;
}

export interface PoolUse {
  /** Connections open, busy or idle. */
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a connection. */
  readonly waiting: number;
}

/** A store's own part of each migration that has one, by the migration's name. */
export type MigrationSteps = Readonly<Partial<Record<MigrationName, (db: Kysely<unknown>) => Promise<void>>>>;

export interface StoreOptions {
  /** PostgreSQL connections per process. */
  readonly poolSize?: number;
  /** Told about errors on idle connections, which must not crash the process. */
  readonly onPoolError?: (error: Error) => void;
  /** How long PostgreSQL may take to connect and to answer; none by default (migrations, copies, commands). */
  readonly timeouts?: PostgresTimeouts;
  /** How long a SQLite write waits for another process's write lock before it fails. */
  readonly lockWaitMs?: number;
}

export function dialectFor(databaseUrl: string, options: StoreOptions = {}): StoreDialect {
  const sqliteFile = sqliteFileOf(databaseUrl);
  return sqliteFile === undefined ? postgresDialect(databaseUrl, options) : sqliteDialect(sqliteFile, options.lockWaitMs);
}
