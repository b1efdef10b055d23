import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.ts';
import { openStore, pingStore, type Store } from './db/connect.ts';
import { sqliteFileOf } from './db/dialects/store-url.ts';
import { isStoreUnavailable } from './db/errors.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedLookups } from './db/seed-lookups.ts';
import type { Db } from './db/types.ts';
import { nowIso } from './clock.ts';
import type { Log } from './process-log.ts';
import { createDemoTenant, type DemoTenant } from './tenancy/demo.ts';
import { findTenancyPresence } from './tenancy/repository.ts';

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

/**
 * One line telling the operator how to make the tenant nobody can work without,
 * or null when there is an organisation and an API client: a production store,
 * or one first made by `jobspace` commands, starts with neither.
 */
export async function describeMissingTenant(db: Db): Promise<string | null> {
  const present = await findTenancyPresence(db);
  if (present.organisation && present.client) return null;
  const steps = [
    ...(present.site ? [] : ['npx jobspace site create --handle S --name N --url U']),
    ...(present.organisation ? [] : ['npx jobspace org create --handle H --name N', 'npx jobspace user create --username U --password P --name N --org H']),
    'npx jobspace client create --name N --sites <site ids>',
  ];
  const missing = present.organisation ? 'no API client' : 'no organisation or API client';
  return `${missing} yet, so nobody can get a token: make ${steps.length === 1 ? 'one' : 'them'} with ${steps.join(' && ')} (README, "Operator commands")`;
}

/** PostgreSQL is given this long to open each connection while start-up waits for it. */
const ATTEMPT_TIMEOUT_MS = 5_000;

/** The pause after failed attempt number `attempt`: 0.5 s, doubling, at most 5 s. */
export function startRetryDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), 5_000);
}

/** Null when the store answered a query within `timeoutMs`, else why not. */
async function tryStore(databaseUrl: string, timeoutMs: number): Promise<Error | null> {
  const store = openStore(databaseUrl, { poolSize: 1, timeouts: { connectMs: timeoutMs, statementMs: 0 } });
  try {
    await pingStore(store);
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    await store.db.destroy().catch(() => undefined);
  }
}

/**
 * Waits for PostgreSQL to answer, for up to DATABASE_START_TIMEOUT_SECONDS:
 * started together with the server (a compose file, a rebooted host) it may
 * not listen yet, or still be starting up. Only a database that cannot be
 * reached is waited for; one that refuses the login or lacks the database is
 * a mistake in DATABASE_URL, which waiting would only hide, so it throws at
 * once. SQLite is a file: there is nothing to wait for.
 * @returns false when `stop` was aborted while waiting
 */
export async function waitForDatabase(config: Config, log: Log, stop?: AbortSignal): Promise<boolean> {
  if (sqliteFileOf(config.databaseUrl) !== undefined) return true;
  const timeoutMs = config.databaseStartTimeoutSeconds * 1000;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    // An attempt never runs past the deadline by more than a moment.
    const error = await tryStore(config.databaseUrl, Math.max(1_000, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now())));
    if (error === null) return true;
    if (!isStoreUnavailable(error)) throw error;
    const reason = error.message || String((error as NodeJS.ErrnoException).code);
    const delayMs = Math.min(startRetryDelayMs(attempt), deadline - Date.now());
    if (delayMs <= 0) {
      const tried = timeoutMs === 0 ? 'unreachable' : `still unreachable after ${config.databaseStartTimeoutSeconds} s and ${attempt} attempts`;
      throw new Error(`database ${tried}: ${reason}`);
    }
    log.warn({ attempt }, `database unreachable at attempt ${attempt} (${reason}); next try in ${(delayMs / 1000).toFixed(1)} s`);
    const stopped = await sleep(delayMs, false, { signal: stop }).catch(() => true);
    if (stopped) return false;
  }
}
