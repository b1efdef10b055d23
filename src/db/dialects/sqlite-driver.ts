import type SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

/* What Kysely's SQLite driver is given or patched with: BEGIN IMMEDIATE, connection turns, a statement cache, rows as arrays. */

/*
 * SQLite transactions begin IMMEDIATE: they take the write lock at BEGIN,
 * where the busy timeout makes a writer in another process wait. A deferred
 * BEGIN upgrades to a write lock later and fails at once with SQLITE_BUSY
 * when another process wrote meanwhile.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    takeTurnsInOrder(driver);
    return driver;
  }
}

/*
 * The one connection is lent to one query or transaction at a time. Kysely's
 * own lock wakes every waiter at each release, all but one to wait again:
 * with a few dozen requests in flight that is most of the cost of a quick
 * read. Waiters here queue and are woken one at a time, in order, and
 * Kysely's lock is then never contended.
 */
function takeTurnsInOrder(driver: Driver): void {
  const waiting: (() => void)[] = [];
  let lent = false;
  const acquire = driver.acquireConnection.bind(driver);
  const release = driver.releaseConnection.bind(driver);
  driver.acquireConnection = async () => {
    if (lent) await new Promise<void>((resolve) => waiting.push(resolve));
    lent = true;
    return acquire();
  };
  driver.releaseConnection = async (connection) => {
    await release(connection);
    const next = waiting.shift();
    if (next) next();
    else lent = false;
  };
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
