import { existsSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { openStore, type Store } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { isStoreUrl, sqliteFileOf, storeIdentity } from './dialects/store-url.ts';
import type { Database } from './types.ts';
import { isStoreUnavailable } from './errors.ts';

/*
 * Copies every row of one store into another, ids and all, so an operator
 * can move from the embedded SQLite store to PostgreSQL (or back). The
 * target is written in one transaction, emptied and filled, committed only
 * once every source row was read and written: a failed copy, even one whose
 * source fails half-way through, leaves it as it was. The source is opened
 * first, so one that is missing or unreadable fails before the target is touched.
 * Full-text indexes differ by store (FTS5 tables, tsvector columns): they are
 * not copied but rebuilt on the target from the copied jobs. Logo files are
 * not in the store (they live in MEDIA_DIR): the copied rows name the same
 * files, so the target serves them from the same folder.
 */

/** The copy must not, or could not, happen: the message is for the operator. */
export class CopyError extends Error {}

interface CopiedTable {
  readonly name: keyof Database;
  /** The primary key: the source is read in its order, a page at a time. */
  readonly key: readonly string[];
  /** Seeded on every store, so its rows do not make a target "non-empty". */
  readonly lookup?: true;
  /** A column naming a row of the same table: rows are written parents first. */
  readonly parent?: string;
  /** The store refuses to delete its rows (the audit trail, migration 0012): emptied by the dialect's one exception. */
  readonly appendOnly?: true;
}

/**
 * Every table but the auth generation and the change feed of jobs (each store keeps its own, filled by
 * its triggers as the copy writes), parents before children as the foreign keys of the migrations require.
 */
export const TABLES: readonly CopiedTable[] = [
  { name: 'countries', key: ['id'], lookup: true },
  { name: 'currencies', key: ['id'], lookup: true },
  { name: 'job_types', key: ['id'], lookup: true },
  { name: 'job_categories', key: ['id'], lookup: true, parent: 'parent_id' },
  { name: 'salary_frequencies', key: ['id'], lookup: true },
  { name: 'apply_types', key: ['id'], lookup: true },
  { name: 'languages', key: ['id'], lookup: true },
  { name: 'sites', key: ['id'] },
  { name: 'organisations', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'memberships', key: ['user_id', 'organisation_id'] },
  { name: 'api_clients', key: ['id'] },
  { name: 'api_client_sites', key: ['api_client_id', 'site_id'] },
  { name: 'access_tokens', key: ['id'] },
  { name: 'refresh_tokens', key: ['id'] },
  { name: 'postcodes', key: ['id'] },
  { name: 'jobs', key: ['id'] },
  { name: 'job_sites', key: ['job_id', 'site_id'] },
  { name: 'job_media', key: ['id'] },
  { name: 'applications', key: ['id'] },
  { name: 'job_counters', key: ['job_id', 'site_id', 'day'] },
  { name: 'server_secrets', key: ['name'] },
  { name: 'webhooks', key: ['id'] },
  { name: 'events', key: ['id'] },
  { name: 'deliveries', key: ['id'] },
  { name: 'job_notices', key: ['job_id', 'kind', 'close_date', 'webhook_id'] },
  { name: 'idempotency_keys', key: ['principal', 'key'] },
  // The history of the source: copied whole, so the target goes on where it left off.
  { name: 'audit_log', key: ['id'], appendOnly: true },
];

/*
 * Rows per read and per insert. The widest table (jobs, under 50 columns)
 * then binds under 25,000 parameters: below SQLite's 32,766 and PostgreSQL's 65,535.
 */
const PAGE = 500;

type Row = Record<string, unknown>;
type AnyDb = Kysely<Record<string, Row>>;
/** Table names are data here, so rows are untyped. */
const untyped = (db: Kysely<Database>) => db as unknown as AnyDb;

export interface TableCount {
  readonly table: string;
  readonly rows: number;
}

/** Copies the store at `fromUrl` into the one at `toUrl`; the target must be empty unless `force`. */
export async function copyStore(fromUrl: string, toUrl: string, options: { force?: boolean } = {}): Promise<TableCount[]> {
  if (storeIdentity(fromUrl) === storeIdentity(toUrl)) throw new CopyError('--from and --to name the same store');
  refuseMissingSqliteFile(fromUrl);
  const source = await openMigrated(fromUrl, '--from');
  try {
    const target = await openMigrated(toUrl, '--to');
    try {
      return await copyBetween(source, target, options.force === true);
    } finally {
      await target.db.destroy();
    }
  } finally {
    await source.db.destroy();
  }
}

/** Opening a SQLite file that is not there would create it, and copy nothing over the target. */
function refuseMissingSqliteFile(fromUrl: string): void {
  const file = sqliteFileOf(fromUrl);
  if (file !== undefined && file !== ':memory:' && !existsSync(file)) throw new CopyError(`the --from store ${fromUrl} does not exist`);
}

/** Both stores get the latest schema first, so their tables match column for column. */
async function openMigrated(url: string, option: string): Promise<Store> {
  if (!isStoreUrl(url)) throw new CopyError(`${option} must start with sqlite: or postgres://`);
  let store: Store | undefined;
  try {
    store = openStore(url, { poolSize: 1 });
    await migrateToLatest(store);
    return store;
  } catch (error) {
    await store?.db.destroy();
    // Unreachable is a failure of the moment (exit 1), not a refusal of the command line.
    if (isStoreUnavailable(error)) throw new Error(`cannot reach the ${option} store: ${reasonOf(error)}`);
    throw new CopyError(`cannot open the ${option} store: ${reasonOf(error)}`);
  }
}

/** pg reports a refused connection to a name with several addresses as an AggregateError with no message. */
function reasonOf(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: unknown[] };
  if (message) return message;
  if (errors?.length) return reasonOf(errors[0]);
  return code ?? String(error);
}

async function copyBetween(source: Store, target: Store, force: boolean): Promise<TableCount[]> {
  const columns = await sharedColumns(source, target);
  // One snapshot of the source (SQLite's transactions always are one), so a server still writing cannot skew the counts.
  return source.db.transaction().setIsolationLevel('repeatable read').execute((read) =>
    target.db.transaction().execute(async (write) => {
      await emptyTarget(untyped(write), force, () => target.dialect.eraseAuditTrail(write as unknown as Kysely<unknown>));
      for (const table of TABLES) await copyTable(untyped(read), untyped(write), table, columns.get(table.name) as string[]);
      const withIds = TABLES.filter((table) => table.key.join() === 'id').map((table) => table.name);
      await target.dialect.resetSequences(write as unknown as Kysely<unknown>, withIds);
      await target.dialect.fullText.rebuildIndex(write);
      return compareCounts(untyped(read), untyped(write));
    }),
  );
}

/**
 * The columns each table has in both stores. Migrated alike, they differ only
 * in what one kind of store keeps for its own full-text index.
 */
async function sharedColumns(source: Store, target: Store): Promise<Map<string, string[]>> {
  const [from, to] = [await columnsOf(source), await columnsOf(target)];
  const shared = new Map<string, string[]>();
  for (const { name } of TABLES) {
    const [fromColumns, toColumns] = [from.get(name), to.get(name)];
    if (!fromColumns || !toColumns) throw new CopyError(`table ${name} is missing from the ${fromColumns ? '--to' : '--from'} store`);
    shared.set(name, fromColumns.filter((column) => toColumns.includes(column)));
  }
  return shared;
}

async function columnsOf(store: Store): Promise<Map<string, string[]>> {
  const schema = store.dialect.introspectedSchema;
  const tables = await store.db.introspection.getTables();
  return new Map(
    tables.filter((table) => table.schema === schema).map((table) => [table.name, table.columns.map((column) => column.name)]),
  );
}

/** Look-ups are seeded on every store, yet they are emptied and copied like the rest so ids match the source. */
async function emptyTarget(db: AnyDb, force: boolean, eraseAuditTrail: () => Promise<void>): Promise<void> {
  if (!force) {
    for (const table of TABLES.filter((t) => !t.lookup)) {
      const row = await db.selectFrom(table.name).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
      if (row) throw new CopyError(`the --to store is not empty (${table.name} has rows); --force replaces its data`);
    }
  }
  for (const table of [...TABLES].reverse()) {
    if (table.appendOnly) await eraseAuditTrail();
    else await db.deleteFrom(table.name).execute();
  }
}

async function copyTable(source: AnyDb, target: AnyDb, table: CopiedTable, columns: string[]): Promise<void> {
  const pages = table.parent ? [parentsFirst(await readAll(source, table, columns), table.parent)] : readPages(source, table, columns);
  for await (const rows of pages) {
    for (let start = 0; start < rows.length; start += PAGE) {
      await target.insertInto(table.name).values(rows.slice(start, start + PAGE)).execute();
    }
  }
}

/** Keyset pagination: memory stays bounded however many rows the table holds. */
async function* readPages(db: AnyDb, table: CopiedTable, columns: string[]): AsyncGenerator<Row[]> {
  let last: Row | undefined;
  for (;;) {
    let query = db.selectFrom(table.name).select(columns).limit(PAGE);
    for (const column of table.key) query = query.orderBy(column);
    if (last) {
      const after = last;
      const key = sql.join(table.key.map((column) => sql.ref(column)));
      query = query.where(sql<boolean>`(${key}) > (${sql.join(table.key.map((column) => after[column]))})`);
    }
    const rows = await query.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1];
  }
}

/** Only for a small look-up table that refers to itself. */
async function readAll(db: AnyDb, table: CopiedTable, columns: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const page of readPages(db, table, columns)) rows.push(...page);
  return rows;
}

/** Orders rows by their depth in the tree, so every parent is written before its children. */
function parentsFirst(rows: Row[], parent: string): Row[] {
  const parentOf = new Map(rows.map((row) => [row.id, row[parent]]));
  const depth = (row: Row): number => {
    let levels = 0;
    for (let id = row[parent]; id !== null && levels <= rows.length; id = parentOf.get(id) ?? null) levels += 1;
    return levels;
  };
  const depths = new Map(rows.map((row) => [row, depth(row)]));
  return [...rows].sort((a, b) => (depths.get(a) as number) - (depths.get(b) as number));
}

async function compareCounts(source: AnyDb, target: AnyDb): Promise<TableCount[]> {
  const counts: TableCount[] = [];
  for (const table of TABLES) {
    const [expected, copied] = [await countRows(source, table.name), await countRows(target, table.name)];
    if (expected !== copied) {
      throw new CopyError(`${table.name}: ${expected} rows in the --from store but ${copied} copied; the --to store is unchanged`);
    }
    counts.push({ table: table.name, rows: copied });
  }
  return counts;
}

async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number | string>`count(*)`.as('rows')).executeTakeFirstOrThrow();
  return Number(row.rows);
}
