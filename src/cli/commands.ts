import { loadConfig } from '../config.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/secrets.ts';
import { openStore, type Store } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { copyStore } from '../db/copy.ts';
import { backupSqlite, restoreSqlite, type BackupSummary } from '../db/dialects/sqlite-backup.ts';
import { seedLookups } from '../db/seed-lookups.ts';
import { nowIso } from '../clock.ts';
import * as tenancy from '../tenancy/service.ts';
import { describeSeeding, seedFakeJobs } from '../seed/fake-jobs.ts';
import { openFolderStorage } from '../media/storage.ts';
import { purgeDeletedJobs } from '../jobs/purge.ts';
import { auditLine, readAuditTrail } from '../audit/service.ts';
import { calendarDay, duration, instant, numberOf, type OptionSpecs, secondsOf, textOf, type Values, wholeNumber } from './arguments.ts';

/* Every operator command: its usage, its options explained, and what it does. */

/** Where a command writes, and the environment it reads (DATABASE_URL, MEDIA_DIR). */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  readonly name: string;
  /** One line for the list of commands. */
  readonly about: string;
  /** More lines for `jobspace help <command>`: what an operator must know before running it. */
  readonly notes?: readonly string[];
  readonly options: OptionSpecs;
  /** Returns what to print on stdout. */
  readonly run: (options: Values, io: Io) => Promise<string>;
}

/** The largest number an option takes: nine digits, well inside a 32-bit column. */
const MAX_NUMBER = 999_999_999;

/** Opens DATABASE_URL, migrated and with its look-ups, for the length of one command. */
function onStore(action: (store: Store, options: Values, io: Io) => Promise<string>) {
  return async (options: Values, io: Io): Promise<string> => {
    const store = openStore(loadConfig(io.env).databaseUrl);
    try {
      await migrateToLatest(store);
      await seedLookups(store.db, nowIso());
      return await action(store, options, io);
    } finally {
      await store.db.destroy();
    }
  };
}

/** `--sites`: checked before the store is opened, like every value. */
const siteIdList = (value: string) =>
  /^\s*\d{1,9}\s*(,\s*\d{1,9}\s*)*$/.test(value) ? undefined : `must be a comma-separated list of site ids such as 1,2, got "${value}"`;

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const unchanged = (what: string) => `${what}; nothing changed`;

const describeBackup = (verb: string, { file, bytes, tables, jobs }: BackupSummary) =>
  `${verb} ${file}: ${bytes} bytes, ${counted(tables, 'table')}, ${counted(jobs, 'job')}`;

const organisationHandle = { value: 'H', required: true, about: 'the organisation\'s handle' } as const;
const username = { value: 'U', required: true, about: 'the user\'s e-mail address' } as const;

export const COMMANDS: readonly Command[] = [
  {
    name: 'site create',
    about: 'adds a site (a job board jobs are posted to) and prints its id',
    options: {
      handle: { value: 'H', required: true, about: 'a short name: letters, digits, _ . and -, at most 64' },
      name: { value: 'N', required: true, about: 'the site\'s name' },
      url: { value: 'U', required: true, about: 'the site\'s http(s) address' },
    },
    run: onStore(async ({ db }, { handle, name, url }) =>
      String(await tenancy.createSite(db, { handle: textOf(handle), name: textOf(name), url: textOf(url) })),
    ),
  },
  {
    name: 'org create',
    about: 'adds an organisation (the employer or agency posting jobs) and prints its id',
    options: {
      handle: { ...organisationHandle, about: 'a short name: letters, digits, _ . and -, at most 64' },
      name: { value: 'N', required: true, about: 'the organisation\'s name' },
      credits: { value: 'C', about: 'jobs it may post, 0 or more; without it, unlimited', check: wholeNumber(0, MAX_NUMBER) },
    },
    run: onStore(async ({ db }, { handle, name, credits }) =>
      String(await tenancy.createOrganisation(db, { handle: textOf(handle), name: textOf(name), credits: numberOf(credits) ?? null })),
    ),
  },
  {
    name: 'org credits',
    about: 'changes the credits of an organisation and prints its balance',
    options: {
      handle: organisationHandle,
      add: {
        value: 'C',
        required: true,
        about: 'credits to add; a negative number takes them away, refused if the balance would go below 0',
        check: wholeNumber(-MAX_NUMBER, MAX_NUMBER),
      },
    },
    run: onStore(async ({ db }, options) => {
      const change = numberOf(options.add) as number;
      const balance = await tenancy.addCredits(db, textOf(options.handle), change);
      return change === 0 ? unchanged(`${options.handle} has ${balance} credits`) : `${options.handle} now has ${balance} credits`;
    }),
  },
  {
    name: 'user create',
    about: 'adds a user, a member of one organisation, and prints its id',
    options: {
      username,
      password: { value: 'P', required: true, about: `at least ${MIN_PASSWORD_LENGTH} characters` },
      name: { value: 'N', required: true, about: 'the user\'s name' },
      org: { ...organisationHandle, about: 'the handle of the user\'s first organisation' },
      timezone: { value: 'Z', about: 'an IANA time zone such as Europe/London, for the dates the user is shown' },
    },
    run: onStore(async ({ db }, options) =>
      String(
        await tenancy.createUser(db, {
          username: textOf(options.username),
          password: textOf(options.password),
          name: textOf(options.name),
          organisation: textOf(options.org),
          timezone: textOf(options.timezone),
        }),
      ),
    ),
  },
  {
    name: 'user add-org',
    about: 'makes a user a member of one more organisation',
    notes: ['Already a member: says so, changes nothing, and exits 0.'],
    options: { username, org: organisationHandle },
    run: onStore(async ({ db }, { username, org }) =>
      (await tenancy.addUserToOrganisation(db, textOf(username), textOf(org)))
        ? `${username} is now a member of ${org}`
        : unchanged(`${username} is already a member of ${org}`),
    ),
  },
  {
    name: 'user remove-org',
    about: 'takes an organisation from a user',
    notes: [
      'The user\'s tokens lose that organisation from their next request, on every worker.',
      'Not a member: says so, changes nothing, and exits 0.',
    ],
    options: { username, org: organisationHandle },
    run: onStore(async ({ db }, { username, org }) =>
      (await tenancy.removeUserFromOrganisation(db, textOf(username), textOf(org)))
        ? `${username} is no longer a member of ${org}`
        : unchanged(`${username} is not a member of ${org}`),
    ),
  },
  {
    name: 'client create',
    about: 'adds an API client and prints its client_id and client_secret, once',
    notes: ['Only a hash of the secret is kept: note it down.'],
    options: {
      name: { value: 'N', required: true, about: 'the client\'s name, such as the vendor\'s' },
      sites: { value: '1,2', required: true, about: 'the ids of the sites it may post to, comma-separated', check: siteIdList },
      basic: { about: 'lets it authenticate with HTTP Basic and Client-Id/Client-Secret headers' },
      board: { about: 'a board client: reads the live jobs of its sites with the client_credentials grant' },
    },
    run: onStore(async ({ db }, options) => {
      const client = await tenancy.createClient(db, {
        name: textOf(options.name),
        siteIds: tenancy.parseSiteIds(textOf(options.sites)),
        allowBasic: options.basic === true,
        board: options.board === true,
      });
      return `client_id ${client.clientId}\nclient_secret ${client.clientSecret}\n(the secret is shown once; only its hash is kept)`;
    }),
  },
  {
    name: 'client revoke',
    about: 'revokes an API client: its tokens stop working at once',
    notes: ['Already revoked: says so, changes nothing, and exits 0.'],
    options: { id: { value: 'CLIENT_ID', required: true, about: 'the client_id printed by client create' } },
    run: onStore(async ({ db }, { id }) =>
      (await tenancy.revokeClient(db, textOf(id)))
        ? `client ${id} revoked; its tokens no longer work`
        : unchanged(`client ${id} was already revoked`),
    ),
  },
  {
    name: 'client rotate-secret',
    about: 'gives an API client a new client_secret, printed once; the old one works until the overlap ends',
    notes: [
      'Only a hash of the new secret is kept: note it down.',
      'Deploy the new secret to the vendor within the overlap; after it, only the new one authenticates.',
      'Rotating again within an overlap ends the older secret at once: one previous secret is kept.',
      'Every server process sees the rotation on its next token request.',
    ],
    options: {
      id: { value: 'CLIENT_ID', required: true, about: 'the client_id printed by client create' },
      overlap: {
        value: 'DURATION',
        about: 'how long the old secret still works, such as 24h (the default), 30m or 7d; 0 ends it at once',
        check: duration(tenancy.MAX_OVERLAP_SECONDS),
      },
    },
    run: onStore(async ({ db }, { id, overlap }) => {
      const rotated = await tenancy.rotateClientSecret(db, textOf(id), secondsOf(textOf(overlap) ?? '24h') as number);
      const until = rotated.previousExpiresAt === null ? 'the old secret no longer works' : `the old secret works until ${rotated.previousExpiresAt}`;
      return `client_id ${id}\nclient_secret ${rotated.clientSecret}\n(the secret is shown once; only its hash is kept; ${until})`;
    }),
  },
  {
    name: 'audit',
    about: 'prints the audit trail of writes, oldest first, one line per entry',
    notes: [
      'Each line: time (UTC), action, target, organisation, client, user and request ids (- for none), source.',
      'Without --org, every entry, those of no organisation included (sites, clients, token revocations).',
    ],
    options: {
      org: { value: 'H', about: 'an organisation\'s handle: only its entries' },
      since: { value: 'WHEN', about: 'only entries from then on: a day (YYYY-MM-DD, UTC) or a time such as 2026-01-31T09:00:00Z', check: instant },
      limit: { value: 'N', about: 'the newest N entries at most, 1 to 100000; 100 without it', check: wholeNumber(1, 100_000) },
      json: { about: 'one JSON object per line instead' },
    },
    run: onStore(async ({ db }, options) => {
      const rows = await readAuditTrail(db, { organisation: textOf(options.org), since: textOf(options.since), limit: numberOf(options.limit) ?? 100 });
      return rows.map((row) => (options.json === true ? JSON.stringify(row) : auditLine(row))).join('\n');
    }),
  },
  {
    name: 'seed fake',
    about: 'adds made-up jobs to an organisation, for trying the API or a benchmark',
    notes: ['Progress goes to stderr, the outcome to stdout.'],
    options: {
      jobs: { value: 'N', required: true, about: 'how many jobs, 1 or more', check: wholeNumber(1, MAX_NUMBER) },
      org: { value: 'H', about: 'the organisation\'s handle; without it, the first organisation' },
      seed: { value: 'S', about: 'a whole number: the same seed makes the same jobs', check: wholeNumber(0, MAX_NUMBER) },
    },
    run: onStore(async ({ db, dialect }, options, io) =>
      describeSeeding(
        await seedFakeJobs(db, dialect, {
          jobs: numberOf(options.jobs) as number,
          organisation: textOf(options.org),
          seed: numberOf(options.seed),
          onProgress: (line) => io.stderr.write(`${line}\n`),
        }),
      ),
    ),
  },
  {
    name: 'job purge',
    about: 'deletes for good the jobs deleted before a day, then the logo files of MEDIA_DIR no job shows',
    notes: ['Run it with the server\'s own MEDIA_DIR.'],
    options: {
      'deleted-before': { value: 'YYYY-MM-DD', required: true, about: 'the day, UTC, before which deleted jobs go', check: calendarDay },
    },
    run: onStore(async ({ db, dialect }, options, io) => {
      const day = textOf(options['deleted-before']) as string;
      const storage = await openFolderStorage(loadConfig(io.env).mediaDir);
      const { jobs, files } = await purgeDeletedJobs(db, dialect.fullText, storage, day);
      return `purged ${counted(jobs, 'job')} deleted before ${day}; removed ${counted(files, 'logo file')} no job shows`;
    }),
  },
  {
    name: 'store copy',
    about: 'copies one whole store into another, ids kept (DATABASE_URL plays no part)',
    notes: [
      'The target is written in one transaction: if anything fails, it is left as it was.',
      'Stop the server, or turn on MAINTENANCE_MODE, while copying.',
    ],
    options: {
      from: { value: 'URL', required: true, about: 'the store to read: sqlite:FILE (which must exist) or postgres://…' },
      to: { value: 'URL', required: true, about: 'the store to write: sqlite:FILE (made if missing) or postgres://…' },
      force: { about: 'replaces the data of a --to store that holds some, once the whole source is read' },
    },
    run: async ({ from, to, force }) => {
      const counts = await copyStore(textOf(from) as string, textOf(to) as string, { force: force === true });
      return counts.map(({ table, rows }) => `${table} ${rows} rows`).join('\n');
    },
  },
  {
    name: 'backup',
    about: 'writes a consistent copy of the SQLite store of DATABASE_URL to a file, while the server runs',
    notes: ['For a PostgreSQL store use pg_dump instead.'],
    options: {
      to: { value: 'FILE', required: true, about: 'the backup file to write' },
      force: { about: 'overwrites FILE if it exists' },
    },
    run: async ({ to, force }, io) =>
      describeBackup('wrote', await backupSqlite(loadConfig(io.env).databaseUrl, textOf(to) as string, { force: force === true })),
  },
  {
    name: 'restore',
    about: 'replaces the SQLite store of DATABASE_URL with a backup, then migrates it',
    notes: [
      'Stop the server first: a running server would go on reading the replaced file.',
      'FILE must be a sound backup of this server, made by this version or an older one.',
    ],
    options: {
      from: { value: 'FILE', required: true, about: 'the backup file to restore' },
      force: { about: 'replaces the store if it exists' },
    },
    run: async ({ from, force }, io) =>
      describeBackup('restored', await restoreSqlite(loadConfig(io.env).databaseUrl, textOf(from) as string, { force: force === true })),
  },
];
