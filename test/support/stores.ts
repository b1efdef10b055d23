import { randomBytes } from 'node:crypto';
import pg from 'pg';

/*
 * Every data-touching suite runs once per store: SQLite always, PostgreSQL
 * when it can be reached. In CI (CI=true) an unreachable PostgreSQL fails the
 * run instead of skipping.
 */
export type StoreName = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function availableStores(): Promise<StoreName[]> {
  if (await postgresReachable()) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(`PostgreSQL is unreachable at ${POSTGRES_URL}, and CI must run the PostgreSQL half`);
  }
  process.stderr.write(`# PostgreSQL unreachable at ${POSTGRES_URL}: running the SQLite half only\n`);
  return ['sqlite'];
}

export const stores: StoreName[] = await availableStores();

/** A schema of its own for one test app, so runs cannot leak into one another. */
export function freshPostgresUrl(): { url: string; schema: string } {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  return { url: `${POSTGRES_URL}?schema=${schema}`, schema };
}

export async function dropPostgresSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
