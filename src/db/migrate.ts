import { type Kysely, type Migration, Migrator } from 'kysely';
import type { Store } from './connect.ts';
import * as initial from './migrations/0001_initial.ts';
import * as search from './migrations/0002_search.ts';
import * as authGeneration from './migrations/0003_auth_generation.ts';
import * as searchWindow from './migrations/0004_search_window.ts';
import * as jobMedia from './migrations/0005_job_media.ts';
import * as outbox from './migrations/0006_outbox.ts';
import * as applications from './migrations/0007_applications.ts';
import * as webhooks from './migrations/0008_webhooks.ts';
import * as jobChanges from './migrations/0009_job_changes.ts';
import * as idempotency from './migrations/0010_idempotency.ts';
import * as clientSecretRotation from './migrations/0011_client_secret_rotation.ts';
import * as audit from './migrations/0012_audit.ts';
import type { StoreDialect } from './dialects/index.ts';

/** The part of a migration both stores run; each store's own part follows it (`StoreDialect.migrationSteps`). */
type SharedMigration = { up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> };

/** Every migration in order; names are permanent once released. */
const MIGRATIONS = {
  '0001_initial': initial,
  '0002_search': search,
  '0003_auth_generation': authGeneration,
  '0004_search_window': searchWindow,
  '0005_job_media': jobMedia,
  '0006_outbox': outbox,
  '0007_applications': applications,
  '0008_webhooks': webhooks,
  '0009_job_changes': jobChanges,
  '0010_idempotency': idempotency,
  '0011_client_secret_rotation': clientSecretRotation,
  '0012_audit': audit,
} as const satisfies Record<string, SharedMigration>;

export type MigrationName = keyof typeof MIGRATIONS;

/** The names this code knows, in order: a store that records any other was migrated by a newer version. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS) as readonly MigrationName[];

export interface MigrationOutcome {
  /** True when the store had never been migrated: a brand-new database. */
  readonly brandNew: boolean;
  readonly applied: readonly string[];
}

function migratorFor(store: Store): Migrator {
  const migrations: Record<string, Migration> = {};
  for (const name of MIGRATION_NAMES) {
    const ownStep = store.dialect.migrationSteps[name];
    migrations[name] = {
      up: async (db) => {
        await MIGRATIONS[name].up(db, store.dialect);
        await ownStep?.(db);
      },
    };
  }
  return new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Named, or Kysely may take another schema's migration table for ours.
    migrationTableSchema: store.dialect.schema,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

export async function migrateToLatest(store: Store): Promise<MigrationOutcome> {
  await store.dialect.prepare(store.db as Kysely<unknown>);
  const migrator = migratorFor(store);
  const before = await migrator.getMigrations();
  const brandNew = before.every((migration) => migration.executedAt === undefined);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return {
    brandNew,
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

/** Brings a store only as far as `name`: a store as an earlier release left it, for the tests of upgrades. */
export async function migrateUpTo(store: Store, name: MigrationName): Promise<void> {
  await store.dialect.prepare(store.db as Kysely<unknown>);
  const { error } = await migratorFor(store).migrateTo(name);
  if (error) throw error;
}

/** True when every known migration has run (readiness checks use it). */
export async function isMigrationCurrent(store: Store): Promise<boolean> {
  const migrations = await migratorFor(store).getMigrations();
  return migrations.every((migration) => migration.executedAt !== undefined);
}
