import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { sqliteFullText } from '../../search/engines/sqlite-fts5.ts';
import { groupCommit, type RowLock } from '../group-commit.ts';
import type { StoreDialect } from './index.ts';
import { ImmediateSqliteDialect, type LockWaits, withStatementCache } from './sqlite-driver.ts';
import { AUDIT_GUARDED_EVENTS, auditGuardName, keepAuditAppendOnly, SQLITE_MIGRATION_STEPS } from './sqlite-migrations.ts';
import { claimDueOnSqlite } from './delivery-claims.ts';

/*
 * SQLite has no row locks and rejects the clause; a write there needs none,
 * as it holds the database's write lock from BEGIN IMMEDIATE to its commit.
 */
const HELD_BY_THE_TRANSACTION: RowLock = sql``;

/* SQLite's default SQLITE_MAX_VARIABLE_NUMBER. */
const MAX_BIND_PARAMETERS = 32_766;

/* How long a write waits for another process's write lock by default, as SQLite's busy timeout did. */
const LOCK_WAIT_MS = 5_000;

export function sqliteDialect(location: string, lockWaitMs = LOCK_WAIT_MS): StoreDialect {
  const file = location === ':memory:' ? location : resolve(location);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // better-sqlite3 builds SQLite with NORMAL for WAL, where a power cut may lose the last
  // commits; FULL flushes the log at every commit, so an answered write is on disk.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // A lock held by another process fails at once, and is waited for without blocking the event loop (sqlite-driver.ts).
  database.pragma('busy_timeout = 0');
  // Deleted and overwritten content is zeroed, not left in free pages: an erased
  // candidate's details must be gone from the file, not merely unreachable.
  database.pragma('secure_delete = ON');
  // Each write of a group commit runs in a savepoint, whose journal of the pages it changes
  // (a create changes some twenty) spilled to a temporary file past 64 KiB: a create's insert
  // into jobs took about 150 µs with the file, about 70 in memory. Temporary tables and indices
  // (a DISTINCT or GROUP BY no index serves) are kept in memory too.
  database.pragma('temp_store = MEMORY');
  const waits: LockWaits = { waited: 0, timedOut: 0 };
  return {
    kysely: new ImmediateSqliteDialect({ database: withStatementCache(database) }, { ms: lockWaitMs, inTransaction: () => database.inTransaction, waits }),
    lockWaits: () => waits,
    autoIncrementId: (column) => column.primaryKey().autoIncrement(),
    autoIncrementType: 'integer',
    // SQLite's default collation, BINARY, already does.
    sortsByBytes: (column) => column,
    migrationSteps: SQLITE_MIGRATION_STEPS,
    introspectedSchema: undefined,
    prepare: async () => undefined,
    // AUTOINCREMENT's counter (sqlite_sequence) already follows the largest id inserted.
    resetSequences: async () => undefined,
    // SQLite's DDL is transactional: the guard is back, as the migration made it, before the commit.
    eraseAuditTrail: async (tx) => {
      for (const event of AUDIT_GUARDED_EVENTS) await sql`drop trigger ${sql.id(auditGuardName(event))}`.execute(tx);
      await sql`delete from audit_log`.execute(tx);
      await keepAuditAppendOnly(tx);
    },
    fullText: sqliteFullText,
    rowLock: HELD_BY_THE_TRANSACTION,
    /*
     * SQLite has one writer, and a durable commit waits for the disk
     * (synchronous = FULL): one commit per request caps writes at the disk's
     * flush rate. So the writes that arrive while one commits share the next
     * commit, as databases do with group commit.
     */
    transact: (db) => groupCommit(db, HELD_BY_THE_TRANSACTION),
    // Transactions begin IMMEDIATE and so hold the store's one write lock until they end.
    lockUntilEnd: async () => undefined,
    // `data_version` moves with any other connection's commit (not only to jobs), without reading a table.
    changeStamp: (db) => ({
      read: async () => Number((await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]?.data_version),
      stop: async () => undefined,
    }),
    maxBindParameters: MAX_BIND_PARAMETERS,
    // One writer: a second batch would only wait for the first.
    concurrentBulkWrites: 1,
    refreshStatistics: async (db) => {
      await sql`analyze`.execute(db);
    },
    claimDue: claimDueOnSqlite,
    // The transaction holds the one write lock from BEGIN IMMEDIATE: no other can take the same rows.
    takeUnlocked: HELD_BY_THE_TRANSACTION,
  };
}
