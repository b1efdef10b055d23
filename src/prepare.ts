import type { Config } from './config.ts';
import type { Store } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedLookups } from './db/seed-lookups.ts';
import { nowIso } from './clock.ts';
import { createDemoTenant, type DemoTenant } from './tenancy/demo.ts';

/**
 * Brings the store up to date and seeds it. Run once per start: by the app
 * itself, or by the cluster primary before it forks, so workers never race to
 * migrate a brand-new database.
 * @returns the demo tenant when it was made now (a brand-new database outside production), else null
 */
export async function prepareDatabase(store: Store, config: Config): Promise<DemoTenant | null> {
  const migration = await migrateToLatest(store);
  await seedLookups(store.db, nowIso());
  return migration.brandNew && !config.production ? createDemoTenant(store.db, config.demo, config.publicUrl) : null;
}
