import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { openStore } from '../connect.ts';
import { MIGRATION_NAMES, migrateToLatest } from '../migrate.ts';
import { sqliteFileOf } from './store-url.ts';

/*
 * Backup and restore of a SQLite store, file to file. PostgreSQL has its own
 * tools for this (pg_dump, pg_restore), which know its server far better.
 */

/** The backup or restore must not, or could not, happen: the message is for the operator. */
export class BackupError extends Error {}

export interface BackupSummary {
  readonly file: string;
  readonly bytes: number;
  readonly tables: number;
  readonly jobs: number;
}

const POSTGRES_ADVICE = 'DATABASE_URL is a PostgreSQL store: back it up with pg_dump, and restore it with pg_restore or psql';

/** Most pages SQLite's backup may copy in one step: the whole file. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the live store with SQLite's online backup API. The copy is taken in
 * one step, so within one read transaction: a server writing meanwhile
 * (WAL) neither blocks it nor makes it restart, and it holds exactly the
 * commits made before it began.
 */
export async function backupSqlite(databaseUrl: string, to: string, options: { force?: boolean } = {}): Promise<BackupSummary> {
  const file = sqliteFileOrRefuse(databaseUrl);
  if (!existsSync(file)) throw new BackupError(`there is no database at ${file} to back up`);
  const target = resolve(to);
  if (isSameFile(target, file)) throw new BackupError('--to names the store itself');
  if (existsSync(target) && !options.force) throw new BackupError(`${to} exists; --force overwrites it`);
  if (!existsSync(dirname(target))) throw new BackupError(`the folder of ${to} does not exist`);
  const source = new SQLite(file, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await writeBeside(target, async (partial) => {
      await source.backup(partial, { progress: () => ALL_PAGES });
      useRollbackJournal(partial);
    });
  } finally {
    source.close();
  }
  return { file: target, bytes: statSync(target).size, ...countOf(target) };
}

/**
 * Replaces the store with a backup. The server must be stopped: its open
 * connections would keep reading the replaced file. The backup is checked,
 * copied beside the store and migrated there, then renamed over it, so the
 * store is either as it was or the whole backup.
 */
export async function restoreSqlite(databaseUrl: string, from: string, options: { force?: boolean } = {}): Promise<BackupSummary> {
  const file = sqliteFileOrRefuse(databaseUrl);
  const backup = resolve(from);
  if (isSameFile(backup, file)) throw new BackupError('--from names the store itself');
  checkBackup(backup, from);
  if (existsSync(file) && !options.force) throw new BackupError(`${file} exists; --force replaces it with the backup`);
  if (!existsSync(dirname(file))) throw new BackupError(`the folder of ${file} does not exist`);
  await writeBeside(file, async (partial) => {
    const source = new SQLite(backup, { readonly: true, fileMustExist: true });
    try {
      await source.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    const store = openStore(`sqlite:${partial}`);
    try {
      await migrateToLatest(store);
    } finally {
      await store.db.destroy();
    }
  });
  return { file, bytes: statSync(file).size, ...countOf(file) };
}

/** The copy keeps the store's WAL mode; a backup is better one self-contained file. */
function useRollbackJournal(file: string): void {
  const database = new SQLite(file, { fileMustExist: true });
  try {
    database.pragma('journal_mode = DELETE');
  } finally {
    database.close();
  }
}

/** Whether two paths name one file, through symbolic links and hard links: the store must never be written over itself. */
function isSameFile(a: string, b: string): boolean {
  if (existsSync(a) && existsSync(b)) {
    const [one, other] = [statSync(a), statSync(b)];
    return one.dev === other.dev && one.ino === other.ino;
  }
  const canonical = (path: string) => (existsSync(dirname(path)) ? join(realpathSync(dirname(path)), basename(path)) : path);
  return canonical(a) === canonical(b);
}

function sqliteFileOrRefuse(databaseUrl: string): string {
  const file = sqliteFileOf(databaseUrl);
  if (file === undefined) throw new BackupError(POSTGRES_ADVICE);
  if (file === ':memory:') throw new BackupError('DATABASE_URL is an in-memory store, which no other process can read');
  return resolve(file);
}

/**
 * Writes a temporary file beside `target`, then renames it over: a rename
 * within a folder is atomic. The target's own -wal and -shm files go first,
 * or SQLite would replay the old store's log into the new file.
 */
async function writeBeside(target: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  removeDatabaseFiles(partial);
  try {
    await write(partial);
    removeDatabaseFiles(target, ['-wal', '-shm']);
    renameSync(partial, target);
  } finally {
    removeDatabaseFiles(partial);
  }
}

function removeDatabaseFiles(file: string, suffixes = ['', '-wal', '-shm', '-journal']): void {
  for (const suffix of suffixes) rmSync(`${file}${suffix}`, { force: true });
}

/** A backup must be a sound SQLite file made by this server, at migrations this code knows. */
function checkBackup(file: string, given: string): void {
  if (!existsSync(file)) throw new BackupError(`there is no file ${given}`);
  let applied: string[];
  let database: SQLite.Database | undefined;
  try {
    database = new SQLite(file, { readonly: true, fileMustExist: true });
    const integrity = database.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${given} is damaged: ${String(integrity)}`);
    if (!database.prepare(`select 1 from sqlite_master where type = 'table' and name = 'schema_migrations'`).get()) {
      throw new BackupError(`${given} is a SQLite database, but not one of this server (it has no schema_migrations table)`);
    }
    applied = database.prepare('select name from schema_migrations').pluck().all() as string[];
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${given} is not a readable SQLite database: ${(error as Error).message}`);
  } finally {
    database?.close();
  }
  const known = new Set<string>(MIGRATION_NAMES);
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const migrations = unknown.join(', ');
    throw new BackupError(`${given} was made by a newer version of this server (migration ${migrations}); restore it with that version`);
  }
}

function countOf(file: string): { tables: number; jobs: number } {
  const database = new SQLite(file, { fileMustExist: true });
  try {
    const tables = database.prepare(`select count(*) from sqlite_master where type = 'table' and name not like 'sqlite_%'`).pluck().get();
    const jobs = database.prepare('select count(*) from jobs').pluck().get();
    return { tables: Number(tables), jobs: Number(jobs) };
  } finally {
    database.close();
  }
}
