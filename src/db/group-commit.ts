import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from './types.ts';
import type { AuditEntry } from '../audit/trail.ts';
import { insertAuditEntries } from '../audit/repository.ts';

/**
 * Appended to a select inside a write, it keeps the rows read from changing
 * until the write commits, so that the write can change them on top of what
 * it read.
 */
export type RowLock = RawBuilder<unknown>;

/** A step that writes for many ids at once (a full-text index brought up to date). */
export type BatchStep = (tx: Tx, ids: readonly number[]) => Promise<void>;

/**
 * Steps a write leaves for the end of its transaction: each runs once, after
 * every write that shares the transaction, with the ids (each once) that the
 * writes which succeeded gave it; a write undone leaves none.
 */
export interface AtCommit {
  add(step: BatchStep, ids: readonly number[]): void;
  /** The write's audit entry, inserted with those of the transaction's other writes in one statement. */
  audit(entry: AuditEntry): void;
}

/** The work of one write: given the clause that locks the rows it reads, and what it leaves for the commit. */
export type Write<T> = (tx: Tx, lock: RowLock, atCommit: AtCommit) => Promise<T>;

/**
 * Runs one write in a transaction of its own, or in one it shares (see
 * groupCommit); resolves once committed.
 */
export type Transact = <T>(work: Write<T>) => Promise<T>;

/** The steps left by the writes of one transaction, each with the ids gathered for it. */
class StepsLeft implements AtCommit {
  private readonly idsByStep = new Map<BatchStep, number[]>();
  private readonly entries: AuditEntry[] = [];

  audit(entry: AuditEntry): void {
    this.entries.push(entry);
  }

  add(step: BatchStep, ids: readonly number[]): void {
    const gathered = this.idsByStep.get(step);
    if (gathered) gathered.push(...ids);
    else this.idsByStep.set(step, [...ids]);
  }

  addAll(other: StepsLeft): void {
    for (const [step, ids] of other.idsByStep) this.add(step, ids);
    this.entries.push(...other.entries);
  }

  async run(tx: Tx): Promise<void> {
    for (const [step, ids] of this.idsByStep) await step(tx, [...new Set(ids)]);
    await insertAuditEntries(tx, this.entries);
  }
}

/** One transaction per write, for a store that commits concurrent transactions in parallel itself. */
export function transactEach(db: Db, lock: RowLock): Transact {
  return (work) =>
    db.transaction().execute(async (tx) => {
      const steps = new StepsLeft();
      const value = await work(tx, lock, steps);
      await steps.run(tx);
      return value;
    });
}

interface Pending {
  readonly work: Write<unknown>;
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

  return <T>(work: Write<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!committing) void drain();
    });
}

/*
 * The steps the writes left run after every savepoint: FTS5 writes its
 * pending terms to disk at each savepoint, so a job indexed inside its
 * write's savepoint made a segment of its own in each full-text table, and
 * merges after them; indexed at the end, a commit's jobs make one.
 */
async function commitTogether(db: Db, lock: RowLock, batch: readonly Pending[]): Promise<void> {
  const outcomes: (() => void)[] = [];
  try {
    await db.transaction().execute(async (tx) => {
      const steps = new StepsLeft();
      for (const write of batch) outcomes.push(await runInSavepoint(tx, lock, write, steps));
      await steps.run(tx);
    });
  } catch (error) {
    for (const write of batch) write.reject(error);
    return;
  }
  for (const settle of outcomes) settle();
}

/** The write's outcome, to be told once the transaction has committed. */
const SAVEPOINT = sql`savepoint one_write`;
const RELEASE = sql`release one_write`;
const ROLLBACK = sql`rollback to one_write`;

async function runInSavepoint(tx: Tx, lock: RowLock, write: Pending, steps: StepsLeft): Promise<() => void> {
  await SAVEPOINT.execute(tx);
  try {
    // A write that fails leaves no steps.
    const ownSteps = new StepsLeft();
    const value = await write.work(tx, lock, ownSteps);
    await RELEASE.execute(tx);
    steps.addAll(ownSteps);
    return () => write.resolve(value);
  } catch (error) {
    await ROLLBACK.execute(tx);
    await RELEASE.execute(tx);
    return () => write.reject(error);
  }
}
