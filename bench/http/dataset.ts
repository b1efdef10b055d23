import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { findPlaceAnywhere } from '../../src/geo/gazetteer.ts';
import { loadCatalogue } from '../../src/lookups/catalogue.ts';
import { prepareDatabase } from '../../src/prepare.ts';
import { ENGLISH_STOP_WORDS } from '../../src/search/stop-words.ts';
import { seedFakeJobs } from '../../src/seed/fake-jobs.ts';

/*
 * The data a run serves: a fresh store (a temporary SQLite file, or a
 * PostgreSQL schema of its own), migrated and given the demo tenant by the
 * project's own functions, then filled by the fake-job generator, all before
 * the server starts.
 */

export interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/** The demo tenant's credentials: JOBSPACE_DEMO_* when set, fixed ones otherwise. */
export function demoCredentials(env = process.env): Credentials {
  return {
    clientId: env.JOBSPACE_DEMO_CLIENT_ID || 'bench-client',
    clientSecret: env.JOBSPACE_DEMO_CLIENT_SECRET || 'bench-client-secret',
    username: env.JOBSPACE_DEMO_USERNAME || 'bench@jobspace.example',
    password: env.JOBSPACE_DEMO_PASSWORD || 'bench-password',
  };
}

/** The environment that gives a server started on a fresh store the demo tenant with these credentials. */
export function demoTenantEnv(credentials: Credentials): Record<string, string> {
  return {
    JOBSPACE_DEMO_CLIENT_ID: credentials.clientId,
    JOBSPACE_DEMO_CLIENT_SECRET: credentials.clientSecret,
    JOBSPACE_DEMO_USERNAME: credentials.username,
    JOBSPACE_DEMO_PASSWORD: credentials.password,
  };
}

/** What scenarios vary their requests over, taken from the seeded data. */
export interface Vocabulary {
  /** Words of the role names that fake titles are made from. */
  readonly words: readonly string[];
  /** Two or three letters that start a role name. */
  readonly prefixes: readonly string[];
  /** Category handles a created job may have. */
  readonly categoryHandles: readonly string[];
  /** The sectors (the roles' parents): a list filtered by one of them includes all its roles. */
  readonly sectorHandles: readonly string[];
  /** Big towns in Great Britain that the gazetteer finds by name. */
  readonly towns: readonly string[];
}

export interface Dataset {
  readonly databaseUrl: string;
  readonly organisation: string;
  readonly siteIds: readonly number[];
  readonly jobs: number;
  readonly firstJobId: number;
  readonly lastJobId: number;
  readonly seedSeconds: number;
  readonly vocabulary: Vocabulary;
  /** Deletes the file or drops the schema. */
  drop(): Promise<void>;
}

export interface DatasetOptions {
  readonly store: 'sqlite' | 'postgres';
  readonly jobs: number;
  readonly seed: number;
  readonly postgresUrl: string;
  readonly credentials: Credentials;
  readonly say: (line: string) => void;
}

const BIG_GB_TOWNS = [
  'Sheffield', 'Leeds', 'Manchester', 'Birmingham', 'Bristol', 'Liverpool', 'Nottingham', 'Leicester', 'Glasgow',
  'Edinburgh', 'Cardiff', 'London', 'Newcastle upon Tyne', 'Coventry', 'Bradford', 'Southampton', 'Brighton', 'Plymouth',
  'Reading', 'Derby', 'York', 'Norwich', 'Oxford', 'Cambridge', 'Aberdeen', 'Swansea', 'Belfast', 'Milton Keynes',
];

interface Place {
  readonly url: string;
  drop(): Promise<void>;
}

function freshSqlite(): Place {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-bench-'));
  return { url: `sqlite:${join(folder, 'bench.sqlite')}`, drop: async () => rmSync(folder, { recursive: true, force: true }) };
}

function freshPostgres(baseUrl: string): Place {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    async drop() {
      const store = openStore(baseUrl, { poolSize: 1 });
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      } finally {
        await store.db.destroy();
      }
    },
  };
}

async function readVocabulary(store: Store): Promise<Vocabulary> {
  const categories = (await loadCatalogue(store.db)).jobCategories;
  // Roles are the leaves, as the generator takes them: a parent (a sector) that has a parent (the root).
  const roles = categories.rows.filter((row) => row.parent_id !== null && categories.get(row.parent_id)?.parent_id != null);
  const words = new Set<string>();
  const prefixes = new Set<string>();
  for (const role of roles) {
    for (const word of role.name.toLowerCase().split(/[^a-z]+/)) {
      if (word.length >= 4 && !ENGLISH_STOP_WORDS.has(word)) words.add(word);
    }
    const letters = role.name.toLowerCase().replace(/[^a-z]/g, '');
    if (letters.length >= 3) prefixes.add(letters.slice(0, 2)).add(letters.slice(0, 3));
  }
  const towns = BIG_GB_TOWNS.filter((name) => findPlaceAnywhere(name)?.countryIso === 'GB');
  const sectorIds = new Set(roles.map((role) => role.parent_id));
  const sectorHandles = categories.rows.filter((row) => sectorIds.has(row.id)).map((row) => row.handle);
  return { words: [...words], prefixes: [...prefixes], categoryHandles: roles.map((role) => role.handle), sectorHandles, towns };
}

async function seededIdRange(store: Store): Promise<{ first: number; last: number }> {
  const row = await store.db.selectFrom('jobs').select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')]).executeTakeFirstOrThrow();
  return { first: Number(row.first), last: Number(row.last) };
}

export async function prepareDataset(options: DatasetOptions): Promise<Dataset> {
  const place = options.store === 'sqlite' ? freshSqlite() : freshPostgres(options.postgresUrl);
  const { credentials } = options;
  try {
    const config = loadConfig({ DATABASE_URL: place.url, LOG_LEVEL: 'silent', ...demoTenantEnv(credentials) });
    const store = openStore(place.url, { poolSize: 2 });
    try {
      const demo = await prepareDatabase(store, config);
      if (!demo) throw new Error(`${place.url} was not a brand-new store`);
      const outcome = await seedFakeJobs(store.db, store.dialect, {
        jobs: options.jobs,
        organisation: demo.organisation,
        seed: options.seed,
        onProgress: (line) => options.say(`seeding: ${line}`),
      });
      const ids = await seededIdRange(store);
      return {
        databaseUrl: place.url,
        organisation: demo.organisation,
        siteIds: demo.siteIds,
        jobs: outcome.jobs,
        firstJobId: ids.first,
        lastJobId: ids.last,
        seedSeconds: outcome.seconds,
        vocabulary: await readVocabulary(store),
        drop: place.drop,
      };
    } finally {
      await store.db.destroy();
    }
  } catch (error) {
    await place.drop().catch(() => undefined);
    throw error;
  }
}
