import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { responseChecking } from './response-check.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createClient, createOrganisation, createUser } from '../../src/tenancy/service.ts';
import { makeCheapHashesForTests } from '../../src/auth/secrets.ts';
import { dropPostgresSchema, freshPostgresUrl, type StoreName } from './stores.ts';

// Every suite that builds an app hashes cheaply; test/auth/secrets.test.ts pins the production cost.
makeCheapHashesForTests();

export const DEMO = {
  clientId: 'demo-client',
  clientSecret: 'demo-client-secret',
  username: 'demo@example.com',
  password: 'demo-password',
} as const;

export const V1 = 'application/vnd.jb.v1+json';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  close(): Promise<void>;
}

/** A fresh app on a store of its own (a new SQLite file or PostgreSQL schema, and a media folder), with the demo tenant and quiet logs. */
export async function buildTestApp(store: StoreName = 'sqlite', env: Record<string, string> = {}): Promise<TestApp> {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-test-'));
  const postgres = store === 'postgres' ? freshPostgresUrl() : null;
  const config = loadConfig({
    DATABASE_URL: postgres ? postgres.url : `sqlite:${join(folder, 'test.sqlite')}`,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://jobs.test',
    MEDIA_DIR: join(folder, 'media'),
    JOBSPACE_DEMO_CLIENT_ID: DEMO.clientId,
    JOBSPACE_DEMO_CLIENT_SECRET: DEMO.clientSecret,
    JOBSPACE_DEMO_USERNAME: DEMO.username,
    JOBSPACE_DEMO_PASSWORD: DEMO.password,
    // The delivery worker's loop runs only in the suites that want it (they set their own interval).
    DELIVERY_POLL_MS: '0',
    // A test that seeds or hashes for a while blocks the event loop; its next request must not be refused for load.
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0',
    // Outside production the key is a file beside the SQLite store; PostgreSQL's would go to ./data.
    ...(postgres ? { WEBHOOK_SIGNING_KEY: 'test-signing-key-of-at-least-thirty-two-bytes' } : {}),
    ...env,
  });
  const checking = responseChecking();
  const app = await buildApp(config, { inspectAnswer: checking.hook });
  const responses = checking.attach(app);
  return {
    app,
    config,
    async close() {
      try {
        await app.close();
      } finally {
        rmSync(folder, { recursive: true, force: true });
        if (postgres) await dropPostgresSchema(postgres.schema);
      }
      // Once everything is cleaned up: a mismatch fails the suite and leaves nothing behind.
      if (responses.mismatches.length > 0) {
        throw new Error(`answers that /openapi.json does not describe:\n${[...new Set(responses.mismatches)].join('\n')}`);
      }
    },
  };
}

/**
 * A suite's app on a store of its own, with a vendor token of the demo
 * tenant: made before the suite's tests, closed after them. Read its fields
 * inside tests and hooks, once the suite has started.
 */
export function useTestApp(store: StoreName, env: Record<string, string> = {}): { readonly test: TestApp; readonly token: string } {
  const suite = {} as { test: TestApp; token: string };
  before(async () => {
    suite.test = await buildTestApp(store, env);
    suite.token = await issueToken(suite.test.app);
  });
  after(() => suite.test.close());
  return suite;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

/** The body of a password grant for these credentials. */
export function passwordGrantFor(credentials: Credentials = DEMO): Record<string, string> {
  return {
    grant_type: 'password',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    username: credentials.username,
    password: credentials.password,
  };
}

export async function issueToken(app: FastifyInstance, credentials: Credentials = DEMO): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/oauth/token', payload: passwordGrantFor(credentials) });
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.body}`);
  return response.json().access_token as string;
}

let tenantCount = 0;

/** A second tenant made through the operator service: its own organisation, user and client. */
export async function createTenant(
  app: FastifyInstance,
  options: { siteIds?: number[]; credits?: number | null; basic?: boolean } = {},
): Promise<Credentials & { organisation: string }> {
  tenantCount += 1;
  const organisation = `ORG${tenantCount}${Date.now() % 100000}`;
  const db = app.store.db;
  await createOrganisation(db, { handle: organisation, name: `Organisation ${organisation}`, credits: options.credits ?? null });
  const username = `user-${organisation.toLowerCase()}@example.com`;
  const password = 'a-long-password';
  await createUser(db, { username, password, name: 'Other User', organisation, timezone: 'Europe/London' });
  const client = await createClient(db, { name: `Vendor ${organisation}`, siteIds: options.siteIds ?? [1], allowBasic: options.basic ?? false });
  return { organisation, username, password, clientId: client.clientId, clientSecret: client.clientSecret };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}`, accept: V1 });
