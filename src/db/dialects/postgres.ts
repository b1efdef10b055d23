import pg from 'pg';
import { sql } from 'kysely';
import { OwnSchemaPostgresDialect } from './postgres-introspection.ts';
import { postgresFullText } from '../../search/engines/postgres-tsvector.ts';
import { jobsChangedChannel } from '../change-stamp.ts';
import { transactEach, type RowLock } from '../group-commit.ts';
import type { StoreDialect, StoreOptions } from './index.ts';
import { stampFromNotifications } from './postgres-listen.ts';
import { nameStatementsOf } from './postgres-statements.ts';
import { POSTGRES_MIGRATION_STEPS } from './postgres-migrations.ts';
import { claimDueOnPostgres } from './delivery-claims.ts';
import { discardTimedOutClients, poolTimeouts } from './postgres-timeouts.ts';

/* PostgreSQL writers run side by side, so a write locks the rows it reads. */
const LOCK_FOR_UPDATE: RowLock = sql`for update`;

/* PostgreSQL's protocol limit. */
const MAX_BIND_PARAMETERS = 65_535;

/*
 * `?schema=name` in a postgres URL puts every table in that schema (made if
 * missing): several stores can share one database, as the tests' do.
 */
export function postgresDialect(url: string, options: StoreOptions): StoreDialect {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema "${schema}" must be a lower-case SQL identifier`);
  }
  const { serverOptions, ...timeouts } = poolTimeouts(options.timeouts);
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 10,
    ...timeouts,
    // JIT compiling pays off for long analytical queries; ours are short, and it cost
    // a search's facet count 10 ms of compiling for 4 ms of work.
    options: ['-c jit=off', ...(schema ? [`-c search_path=${schema}`] : []), ...serverOptions].join(' '),
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  nameStatementsOf(pool);
  discardTimedOutClients(pool);
  const connection = { connectionString: parsed.toString(), options: schema ? `-c search_path=${schema}` : undefined };
  return {
    kysely: new OwnSchemaPostgresDialect({ pool }, schema ?? 'public'),
    autoIncrementId: (column) => column.primaryKey(),
    autoIncrementType: 'serial',
    sortsByBytes: (column) => column.modifyFront(sql`collate "C"`),
    migrationSteps: POSTGRES_MIGRATION_STEPS,
    schema: schema ?? undefined,
    // Introspection lists every schema; a store without ?schema= keeps its tables in public.
    introspectedSchema: schema ?? 'public',
    prepare: async (db) => {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    },
    // A table without a sequence (the look-ups) gives null, which setval passes over.
    // Disabling a trigger locks the table until the transaction ends; no other writer sees the trail unguarded.
    eraseAuditTrail: async (tx) => {
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(tx);
      await sql`delete from audit_log`.execute(tx);
      await sql`alter table audit_log enable trigger audit_log_append_only`.execute(tx);
    },
    resetSequences: async (db, tables) => {
      for (const table of tables) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 1), max(id) is not null)
          from ${sql.table(table)}`.execute(db);
      }
    },
    fullText: postgresFullText,
    rowLock: LOCK_FOR_UPDATE,
    // A connection per concurrent write, committed in parallel by the server itself.
    transact: (db) => transactEach(db, LOCK_FOR_UPDATE),
    // An advisory lock: the key space is the database's, shared by every schema in it.
    lockUntilEnd: async (tx, lockClass, key) => {
      await sql`select pg_advisory_xact_lock(${lockClass}::int, ${key}::int)`.execute(tx);
    },
    changeStamp: () => stampFromNotifications(connection, jobsChangedChannel(schema ?? undefined), options.onPoolError),
    maxBindParameters: MAX_BIND_PARAMETERS,
    // Two batches on two connections: one is built in Node while the server stores the other.
    concurrentBulkWrites: 2,
    // Also vacuums: indexing rewrote every new row, leaving a dead version of each.
    refreshStatistics: async (db) => {
      await sql`vacuum analyze jobs, job_sites, job_changes`.execute(db);
    },
    claimDue: claimDueOnPostgres,
    takeUnlocked: sql`for update skip locked`,
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
