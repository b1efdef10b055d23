import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from './types.ts';

/**
 * Appended to a select inside a write, it keeps the rows read from changing
 * until the write commits, so that the write can change them on top of what
 * it read.
 */
export type RowLock = RawBuilder<unknown>;

/**
 * Runs one write in a transaction of its own, or in one it shares (see
 * groupCommit); resolves once committed. The work is given the clause that
 * locks the rows it reads.
 */
export type Transact = <T>(work: (tx: Tx, lock: RowLock) => Promise<T>) => Promise<T>;

/** One transaction per write, for a store that commits concurrent transactions in parallel itself. */
export function transactEach(db: Db, lock: RowLock): Transact {
  return (work) => db.transaction().execute((tx) => work(tx, lock));
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
export function groupCommit(db: Db, lock: RowLock, maxBatch = 64): Transact {
  const queue: Pending[] = [];
  let committing = false;

  // better-sqlite3 answers at once, so a transaction runs start to end without letting other
  // requests in; each batch waits a turn of the event loop for the writes already on their way.
  async function drain(): Promise<void> {
    committing = true;
    try {
      while (queue.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await commitTogether(db, lock, queue.splice(0, maxBatch));
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

async function commitTogether(db: Db, lock: RowLock, batch: readonly Pending[]): Promise<void> {
  const outcomes: (() => void)[] = [];
  try {
    await db.transaction().execute(async (tx) => {
      for (const write of batch) outcomes.push(await runInSavepoint(tx, lock, write));
    });
  } catch (error) {
    for (const write of batch) write.reject(error);
    return;
  }
  for (const settle of outcomes) settle();
}

/** The write's outcome, to be told once the transaction has committed. */
async function runInSavepoint(tx: Tx, lock: RowLock, write: Pending): Promise<() => void> {
  await sql`savepoint one_write`.execute(tx);
  try {
    const value = await write.work(tx, lock);
    await sql`release one_write`.execute(tx);
    return () => write.resolve(value);
  } catch (error) {
    await sql`rollback to one_write`.execute(tx);
    await sql`release one_write`.execute(tx);
    return () => write.reject(error);
  }
}
