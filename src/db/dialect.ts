import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  type ColumnDefinitionBuilder,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase,
  sql,
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
  /** The PostgreSQL schema holding the tables, when not the default. */
  readonly schema?: string;
  /** Runs once before migrations: whatever the store needs to exist first. */
  readonly prepare: (db: Kysely<unknown>) => Promise<void>;
  /** After rows were inserted with their ids: new rows must get ids above them. Absent where ids follow by themselves. */
  readonly resetSequences?: (db: Kysely<unknown>, tables: readonly string[]) => Promise<void>;
  /** PostgreSQL: LISTEN on a channel over a connection of its own, kept open until stopped. */
  readonly listen?: (channel: string, handlers: Listener) => { stop(): Promise<void> };
}

export interface Listener {
  /** A notification arrived. */
  readonly onNotify: () => void;
  /** Listening began (again), or stopped: notifications sent meanwhile are lost. */
  readonly onListening: (listening: boolean) => void;
}

const RELISTEN_DELAY_MS = 1_000;

export interface StoreOptions {
  /** PostgreSQL connections per process. */
  readonly poolSize?: number;
  /** Told about errors on idle connections, which must not crash the process. */
  readonly onPoolError?: (error: Error) => void;
}

export function dialectFor(databaseUrl: string, options: StoreOptions = {}): StoreDialect {
  if (databaseUrl.startsWith('sqlite:')) return sqliteDialect(databaseUrl.slice('sqlite:'.length));
  return postgresDialect(databaseUrl, options);
}

/*
 * SQLite transactions begin IMMEDIATE: they take the write lock at BEGIN,
 * where the busy timeout makes a writer in another process wait. A deferred
 * BEGIN upgrades to a write lock later and fails at once with SQLITE_BUSY
 * when another process wrote meanwhile.
 */
class ImmediateSqliteDialect extends SqliteDialect {
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
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached?.busy) return database.prepare(sql);
      const statement = cached ?? database.prepare(sql);
      // Deleted and set again: a Map keeps insertion order, so its first key is the least recently used.
      statements.delete(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

function sqliteDialect(location: string): StoreDialect {
  const file = location === ':memory:' ? location : resolve(location);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // better-sqlite3 builds SQLite with NORMAL for WAL, where a power cut may lose the last
  // commits; FULL flushes the log at every commit, so an answered write is on disk.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // Writers in other processes wait for the lock instead of failing at once.
  database.pragma('busy_timeout = 5000');
  return {
    name: 'sqlite',
    kysely: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
    autoIncrementId: (column) => column.primaryKey().autoIncrement(),
    autoIncrementType: 'integer',
    prepare: async () => undefined,
    // AUTOINCREMENT's counter (sqlite_sequence) already follows the largest id inserted.
    resetSequences: async () => undefined,
  };
}

/*
 * `?schema=name` in a postgres URL puts every table in that schema (made if
 * missing): several stores can share one database, as the tests' do.
 */
function postgresDialect(url: string, options: StoreOptions): StoreDialect {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema "${schema}" must be a lower-case SQL identifier`);
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 10,
    // JIT compiling pays off for long analytical queries; ours are short, and it cost
    // a search's facet count 10 ms of compiling for 4 ms of work.
    options: ['-c jit=off', ...(schema ? [`-c search_path=${schema}`] : [])].join(' '),
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const connection = { connectionString: parsed.toString(), options: schema ? `-c search_path=${schema}` : undefined };
  return {
    name: 'postgres',
    listen: (channel, handlers) => listenOn(connection, channel, handlers, options.onPoolError),
    kysely: new PostgresDialect({ pool }),
    autoIncrementId: (column) => column.primaryKey(),
    autoIncrementType: 'serial',
    schema: schema ?? undefined,
    prepare: async (db) => {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    },
    // A table without a sequence (the look-ups) gives null, which setval passes over.
    resetSequences: async (db, tables) => {
      for (const table of tables) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 1), max(id) is not null)
          from ${sql.table(table)}`.execute(db);
      }
    },
  };
}

/** LISTEN on a client of its own, made again a second after it fails, until stopped. */
function listenOn(
  connection: pg.ClientConfig,
  channel: string,
  handlers: Listener,
  onError?: (error: Error) => void,
): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const lost = (error?: Error) => {
    if (error) onError?.(error);
    handlers.onListening(false);
    client?.removeAllListeners();
    client?.end().catch(() => undefined);
    client = null;
    if (!stopped) retry = setTimeout(start, RELISTEN_DELAY_MS);
  };
  async function start(): Promise<void> {
    const own = new pg.Client(connection);
    client = own;
    own.on('notification', () => handlers.onNotify());
    own.on('error', lost);
    own.on('end', () => {
      if (client === own) lost();
    });
    try {
      await own.connect();
      await own.query(`listen "${channel.replace(/"/g, '""')}"`);
      if (stopped) await own.end();
      else handlers.onListening(true);
    } catch (error) {
      if (client === own) lost(error as Error);
    }
  }
  void start();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const last = client;
      client = null;
      last?.removeAllListeners();
      await last?.end().catch(() => undefined);
    },
  };
}
