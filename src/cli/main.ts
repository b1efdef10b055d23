import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openStore } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedLookups } from '../db/seed-lookups.ts';
import { nowIso } from '../clock.ts';
import type { Db } from '../db/types.ts';
import * as tenancy from '../tenancy/service.ts';

const USAGE = `Usage: jobspace <command> [options]   (acts on the database of DATABASE_URL)

  site create --handle H --name N --url U
  org create --handle H --name N [--credits C]
  org credits --handle H --add C
  user create --username U --password P --name N --org H [--timezone Z]
  user add-org --username U --org H
  client create --name N --sites 1,2 [--basic]
  client revoke --id CLIENT_ID
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
  id: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function parseAmount(value: string | undefined): number {
  if (!value || !/^-?\d{1,9}$/.test(value.trim())) throw new UsageError(`--add must be a whole number, got "${value ?? ''}"`);
  return Number(value);
}

/** Runs one command and returns what to print. */
async function run(db: Db, command: string, options: Options): Promise<string> {
  switch (command) {
    case 'site create':
      return String(await tenancy.createSite(db, options));
    case 'org create': {
      const id = await tenancy.createOrganisation(db, { ...options, credits: tenancy.parseCredits(options.credits) });
      return String(id);
    }
    case 'org credits': {
      const balance = await tenancy.addCredits(db, options.handle, parseAmount(options.add));
      return `${options.handle} now has ${balance} credits`;
    }
    case 'user create':
      return String(await tenancy.createUser(db, { ...options, organisation: options.org }));
    case 'user add-org':
      await tenancy.addUserToOrganisation(db, options.username, options.org);
      return `${options.username} is now a member of ${options.org}`;
    case 'client create': {
      const siteIds = tenancy.parseSiteIds(options.sites);
      const client = await tenancy.createClient(db, { name: options.name, siteIds, allowBasic: options.basic === true });
      return `client_id ${client.clientId}\nclient_secret ${client.clientSecret}\n(the secret is shown once; only its hash is kept)`;
    }
    case 'client revoke':
      await tenancy.revokeClient(db, options.id);
      return `client ${options.id} revoked; its tokens no longer work`;
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`jobspace: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    process.stdout.write(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  const store = openStore(loadConfig().databaseUrl);
  try {
    await migrateToLatest(store);
    await seedLookups(store.db, nowIso());
    process.stdout.write(`${await run(store.db, parsed.positionals.join(' '), parsed.values)}\n`);
    return 0;
  } finally {
    await store.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof tenancy.TenancyError || error instanceof UsageError || error instanceof ConfigError;
    process.stderr.write(`jobspace: ${known ? (error as Error).message : `failed: ${(error as Error).message}`}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}`);
    process.exit(known ? 2 : 1);
  },
);
