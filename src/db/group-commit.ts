import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './dialect.ts';
import type { Db, Tx } from './types.ts';

/**
 * Appended to a select inside a write, it keeps the rows read from changing
 * until the write commits, so that the write can change them on top of what
 * it read.
 */
export type RowLock = RawBuilder<unknown>;

/*
 * PostgreSQL writers run side by side, so a write locks the rows it reads.
 * SQLite has no row locks and rejects the clause; a write there needs none,
 * as it holds the database's write lock from BEGIN IMMEDIATE to its commit.
 */
const LOCK_FOR_UPDATE: RowLock = sql`for update`;
const HELD_BY_THE_TRANSACTION: RowLock = sql``;

/**
 * Runs one write in a transaction of its own, or in one it shares (see
 * groupCommit); resolves once committed. The work is given the clause that
 * locks the rows it reads.
 */
export type Transact = <T>(work: (tx: Tx, lock: RowLock) => Promise<T>) => Promise<T>;

/*
 * PostgreSQL has a connection per concurrent write and commits them in
 * parallel. SQLite has one writer, and a durable commit waits for the disk
 * (synchronous = FULL): one commit per request caps writes at the disk's
 * flush rate. So on SQLite the writes that arrive while one commits share
 * the next commit, as databases do with group commit.
 */
export function transactFor(db: Db, dialect: DialectName): Transact {
  return dialect === 'sqlite' ? groupCommit(db) : (work) => db.transaction().execute((tx) => work(tx, LOCK_FOR_UPDATE));
}

interface Pending {
  readonly work: (tx: Tx, lock: RowLock) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Each write runs in a savepoint of the shared transaction, so one that
 * fails (a taken reference, no credits) is undone alone and fails alone;
 * the others commit together. Every write is answered only after the
 * commit, so an answered write is on disk; if the commit fails, every write
 * of the batch fails with it.
 */
export function groupCommit(db: Db, maxBatch = 64): Transact {
  const queue: Pending[] = [];
  let committing = false;

  // better-sqlite3 answers at once, so a transaction runs start to end without letting other
  // requests in; each batch waits a turn of the event loop for the writes already on their way.
  async function drain(): Promise<void> {
    committing = true;
    try {
      while (queue.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await commitTogether(db, queue.splice(0, maxBatch));
      }
    } finally {
      committing = false;
    }
  }

  return <T>(work: (tx: Tx, lock: RowLock) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!committing) void drain();
    });
}

async function commitTogether(db: Db, batch: readonly Pending[]): Promise<void> {
  const outcomes: (() => void)[] = [];
  try {
    await db.transaction().execute(async (tx) => {
      for (const write of batch) outcomes.push(await runInSavepoint(tx, write));
    });
  } catch (error) {
    for (const write of batch) write.reject(error);
    return;
  }
  for (const settle of outcomes) settle();
}

/** The write's outcome, to be told once the transaction has committed. */
async function runInSavepoint(tx: Tx, write: Pending): Promise<() => void> {
  await sql`savepoint one_write`.execute(tx);
  try {
    const value = await write.work(tx, HELD_BY_THE_TRANSACTION);
    await sql`release one_write`.execute(tx);
    return () => write.resolve(value);
  } catch (error) {
    await sql`rollback to one_write`.execute(tx);
    await sql`release one_write`.execute(tx);
    return () => write.reject(error);
  }
}
