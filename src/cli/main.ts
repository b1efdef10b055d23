import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openStore } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { CopyError, copyStore } from '../db/copy.ts';
import { seedLookups } from '../db/seed-lookups.ts';
import { nowIso } from '../clock.ts';
import type { Db } from '../db/types.ts';
import type { StoreDialect } from '../db/dialects/index.ts';
import * as tenancy from '../tenancy/service.ts';
import { describeSeeding, SeedError, seedFakeJobs } from '../seed/fake-jobs.ts';
import { openFolderStorage } from '../media/storage.ts';
import { purgeDeletedJobs } from '../jobs/purge.ts';

const USAGE = `Usage: jobspace <command> [options]   (acts on the database of DATABASE_URL)

  site create --handle H --name N --url U
  org create --handle H --name N [--credits C]
  org credits --handle H --add C
  user create --username U --password P --name N --org H [--timezone Z]
  user add-org --username U --org H
  user remove-org --username U --org H   (the user's tokens lose that organisation from their next request)
  client create --name N --sites 1,2 [--basic | --board]
  client revoke --id CLIENT_ID
  store copy --from URL --to URL [--force]   (copies one whole store into another, ignoring DATABASE_URL)
  seed fake --jobs N [--org H] [--seed S]   (N made-up jobs for organisation H, default the first; progress on stderr)
  job purge --deleted-before YYYY-MM-DD   (deletes for good the jobs deleted before that day, UTC, then the logo files of MEDIA_DIR no job shows)
`;

const OPTIONS = {
  handle: { type: 'string' },
  name: { type: 'string' },
  url: { type: 'string' },
  credits: { type: 'string' },
  add: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  org: { type: 'string' },
  timezone: { type: 'string' },
  sites: { type: 'string' },
  basic: { type: 'boolean' },
  board: { type: 'boolean' },
  id: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  jobs: { type: 'string' },
  seed: { type: 'string' },
  'deleted-before': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The command line itself is wrong: the message is followed by the usage. */
class UsageError extends Error {}

type Command = (db: Db, options: Options, dialect: StoreDialect) => Promise<string>;

const isCalendarDay = (value: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Each command returns what to print. */
const COMMANDS: Record<string, Command> = {
  'site create': async (db, options) => String(await tenancy.createSite(db, options)),
  'org create': async (db, options) =>
    String(await tenancy.createOrganisation(db, { ...options, credits: tenancy.parseCredits(options.credits) })),
  'org credits': async (db, options) => {
    const balance = await tenancy.addCredits(db, options.handle, tenancy.parseCreditChange(options.add));
    return `${options.handle} now has ${balance} credits`;
  },
  'user create': async (db, options) => String(await tenancy.createUser(db, { ...options, organisation: options.org })),
  'user add-org': async (db, options) => {
    await tenancy.addUserToOrganisation(db, options.username, options.org);
    return `${options.username} is now a member of ${options.org}`;
  },
  'user remove-org': async (db, options) => {
    await tenancy.removeUserFromOrganisation(db, options.username, options.org);
    return `${options.username} is no longer a member of ${options.org}`;
  },
  'client create': async (db, options) => {
    const siteIds = tenancy.parseSiteIds(options.sites);
    const client = await tenancy.createClient(db, {
      name: options.name,
      siteIds,
      allowBasic: options.basic === true,
      board: options.board === true,
    });
    return `client_id ${client.clientId}\nclient_secret ${client.clientSecret}\n(the secret is shown once; only its hash is kept)`;
  },
  'client revoke': async (db, options) => {
    await tenancy.revokeClient(db, options.id);
    return `client ${options.id} revoked; its tokens no longer work`;
  },
  'seed fake': async (db, options, dialect) => {
    const whole = (value: string | undefined) => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined);
    const jobs = whole(options.jobs);
    if (!jobs) throw new UsageError('seed fake needs --jobs N, a whole number of 1 or more');
    if (options.seed !== undefined && whole(options.seed) === undefined) throw new UsageError('--seed must be a whole number');
    const outcome = await seedFakeJobs(db, dialect, {
      jobs,
      organisation: options.org,
      seed: whole(options.seed),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    return describeSeeding(outcome);
  },
  'job purge': async (db, options, dialect) => {
    const day = options['deleted-before'];
    if (day === undefined || !isCalendarDay(day)) throw new UsageError('job purge needs --deleted-before YYYY-MM-DD, a day that exists');
    const storage = await openFolderStorage(loadConfig().mediaDir);
    const { jobs, files } = await purgeDeletedJobs(db, dialect.fullText, storage, day);
    return `purged ${counted(jobs, 'job')} deleted before ${day}; removed ${counted(files, 'logo file')} no job shows`;
  },
};

async function copyStores(options: Options): Promise<number> {
  if (!options.from || !options.to) throw new UsageError('store copy needs --from and --to');
  const counts = await copyStore(options.from, options.to, { force: options.force === true });
  process.stdout.write(counts.map(({ table, rows }) => `${table} ${rows} rows\n`).join(''));
  return 0;
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const name = positionals.join(' ');
  if (name === 'store copy') return copyStores(values);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  // Checked before the store is opened, so a typo never creates or migrates a database.
  if (!command) throw new UsageError(name ? `unknown command "${name}"` : 'no command given');
  const store = openStore(loadConfig().databaseUrl);
  try {
    await migrateToLatest(store);
    await seedLookups(store.db, nowIso());
    process.stdout.write(`${await command(store.db, values, store.dialect)}\n`);
    return 0;
  } finally {
    await store.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof tenancy.TenancyError || error instanceof UsageError || error instanceof ConfigError
      || error instanceof CopyError || error instanceof SeedError;
    process.stderr.write(`jobspace: ${known ? (error as Error).message : `failed: ${(error as Error).message}`}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}`);
    process.exit(known ? 2 : 1);
  },
);
