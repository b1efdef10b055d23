import type SQLite from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, type SqliteDatabase, type SqliteDialectConfig, type SqliteStatement,
} from 'kysely';

/* What Kysely's SQLite driver is given or patched with: BEGIN IMMEDIATE, connection turns, lock waits off the event loop, a statement cache, rows as arrays. */

/*
 * SQLite transactions begin IMMEDIATE: they take the write lock at BEGIN,
 * where a writer in another process makes them wait (see waitForLocks). A
 * deferred BEGIN upgrades to a write lock later and fails at once with
 * SQLITE_BUSY when another process wrote meanwhile.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(config: SqliteDialectConfig, private readonly lockWait: LockWait) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    waitForLocks(driver, takeTurnsInOrder(driver), this.lockWait);
    return driver;
  }
}

export interface LockWait {
  /** How long a statement may keep retrying for another process's lock before its SQLITE_BUSY is thrown. */
  readonly ms: number;
  /** True while the connection is inside a transaction. */
  readonly inTransaction: () => boolean;
  /** Counted here, read by the metrics. */
  readonly waits: LockWaits;
}

/** Statements that met another process's lock (and waited for it, up to the bound); of those, the ones that gave up. */
export interface LockWaits {
  waited: number;
  timedOut: number;
}

/*
 * The one connection is lent to one query or transaction at a time. Kysely's
 * own lock wakes every waiter at each release, all but one to wait again:
 * with a few dozen requests in flight that is most of the cost of a quick
 * read. Waiters here queue and are woken one at a time, in order, and
 * Kysely's lock is then never contended.
 */
class Turns {
  private readonly waiting: (() => void)[] = [];
  private lent = false;

  async take(): Promise<void> {
    if (this.lent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.lent = true;
  }

  pass(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.lent = false;
  }
}

interface Lending {
  /** Gives the connection back for `pause`, to whoever waits, and takes it again after them. */
  stepAside(connection: DatabaseConnection, pause: number): Promise<void>;
}

function takeTurnsInOrder(driver: Driver): Lending {
  const turns = new Turns();
  const acquire = driver.acquireConnection.bind(driver);
  const release = driver.releaseConnection.bind(driver);
  driver.acquireConnection = async () => {
    await turns.take();
    return acquire();
  };
  driver.releaseConnection = async (connection) => {
    await release(connection);
    turns.pass();
  };
  return {
    async stepAside(connection, pause) {
      await release(connection);
      turns.pass();
      await sleep(pause);
      await turns.take();
      await acquire();
    },
  };
}

const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 100;

/*
 * better-sqlite3 is synchronous: with SQLite's busy timeout, a write waiting
 * for another process's lock (a CLI command, a backup, another worker) held
 * the event loop, and every request of the process with it, for as long as
 * it waited. The busy timeout is 0 instead, and a statement outside a
 * transaction (BEGIN IMMEDIATE above all) that meets SQLITE_BUSY is retried
 * here, after pauses doubling to 0.1 s during which the connection serves
 * the reads waiting for it. Retrying is safe there: the statement failed
 * without changing anything, and a transaction's writes run only after its
 * BEGIN succeeded. Inside a transaction a BUSY is thrown at once (in WAL mode
 * the write lock, held from BEGIN IMMEDIATE, means a writer meets none).
 */
function waitForLocks(driver: Driver, lending: Lending, lockWait: LockWait): void {
  const patched = new WeakSet<DatabaseConnection>();
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    const connection = await acquire();
    if (!patched.has(connection)) {
      patched.add(connection);
      retryWhenBusy(connection, lending, lockWait);
    }
    return connection;
  };
}

function retryWhenBusy(connection: DatabaseConnection, lending: Lending, { ms, inTransaction, waits }: LockWait): void {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = (async (query: CompiledQuery) => {
    const deadline = Date.now() + ms;
    // Asked before the statement runs: SQLite may roll a transaction back on an error, and a statement
    // of a transaction retried on its own would run outside it.
    const retryable = !inTransaction();
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      try {
        return await execute(query);
      } catch (error) {
        if (!retryable || !isBusy(error)) throw error;
        if (pause === FIRST_PAUSE_MS) waits.waited += 1;
        if (Date.now() + pause > deadline) {
          waits.timedOut += 1;
          throw error;
        }
      }
      await lending.stepAside(connection, pause);
    }
  }) as typeof connection.executeQuery;
}

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

/*
 * Kysely's SQLite driver prepares every query afresh, and compiling the SQL
 * is some 40% of a point select's time. Statements are kept per SQL
 * text instead, the least recently used dropped past the bound (search
 * builds SQL whose text varies with its filters). Reuse is safe because the
 * driver runs a statement with all() or run(), which finish and reset it
 * before returning; only a streamed query (iterate()) keeps one busy, and a
 * caller meeting a busy statement gets a fresh one.
 */
const STATEMENT_CACHE_SIZE = 500;

export function withStatementCache(database: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, RowsFromArrays>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached?.busy) return new RowsFromArrays(database.prepare(sql));
      const statement = cached ?? new RowsFromArrays(database.prepare(sql));
      // Deleted and set again: a Map keeps insertion order, so its first key is the least recently used.
      statements.delete(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

type Row = Record<string, unknown>;

/*
 * better-sqlite3 hands a row over as an object at about one and a half times
 * the cost of the same row as an array: a job's read of 48 columns cost
 * 19 µs as objects, 13 as arrays made into objects here by a function
 * compiled once per statement from its column names. The objects are the
 * same: keys in column order, a repeated name at its first place with its
 * last value, as an object literal has it.
 */
class RowsFromArrays implements SqliteStatement {
  readonly reader: boolean;
  private readonly toRow: (values: unknown[]) => Row;

  constructor(private readonly statement: SQLite.Statement) {
    this.reader = statement.reader;
    this.toRow = this.reader ? rowMaker(statement.raw(true).columns().map((column) => column.name)) : () => ({});
  }

  get busy(): boolean {
    return this.statement.busy;
  }

  all(parameters: readonly unknown[]): unknown[] {
    return (this.statement.all(parameters) as unknown[][]).map(this.toRow);
  }

  run(parameters: readonly unknown[]) {
    return this.statement.run(parameters);
  }

  *iterate(parameters: readonly unknown[]): IterableIterator<unknown> {
    for (const values of this.statement.iterate(parameters) as IterableIterator<unknown[]>) yield this.toRow(values);
  }
}

function rowMaker(names: readonly string[]): (values: unknown[]) => Row {
  const properties = names.map((name, index) => `${JSON.stringify(name)}: values[${index}]`);
  return new Function('values', `return { ${properties.join(', ')} };`) as (values: unknown[]) => Row;
}
