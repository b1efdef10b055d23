import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { listUserOrganisations } from '../../src/tenancy/repository.ts';
import { auth, buildTestApp, issueToken, V1, type TestApp } from '../support/app.ts';
import { dropPostgresSchema, freshPostgresUrl, stores } from '../support/stores.ts';
import { runJobspace, runJobspaceBinary, type Run } from '../support/cli.ts';
import { jobJson } from '../support/fixtures.ts';

const folder = mkdtempSync(join(tmpdir(), 'jobspace-cli-'));

/** Runs a command, in this process, against the given database. */
const jobspace = (databaseUrl: string, args: string[], env: Record<string, string> = {}) =>
  runJobspace(args, { DATABASE_URL: databaseUrl, ...env });

async function succeeds(databaseUrl: string, args: string[]): Promise<string> {
  const run = await jobspace(databaseUrl, args);
  assert.equal(run.code, 0, `jobspace ${args.join(' ')} failed: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run.stdout;
}

/** Bad input: exit 2, nothing on stdout, exactly one line naming the problem, no usage and no stack trace. */
function assertFailed(args: string[], run: Run, problem: RegExp): void {
  assert.equal(run.code, 2, `jobspace ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^jobspace: [^\n]+\n$/);
  assert.match(run.stderr, problem);
}

const user = { username: 'jo@acme.example', password: 'a-long-password' };
const timezone = 'Europe/Paris';
const printsId = /^\d+\n$/;
const printsClient = /^client_id (\S+)\nclient_secret (\S+)\n/;

after(() => rmSync(folder, { recursive: true, force: true }));

for (const store of stores) describe(`jobspace operator commands [${store}]`, () => {
  const postgres = store === 'postgres' ? freshPostgresUrl() : null;
  const databaseUrl = postgres ? postgres.url : `sqlite:${join(folder, 'commands.sqlite')}`;
  const run = (...args: string[]) => succeeds(databaseUrl, args);
  const made = { siteIds: [] as number[], clientId: '', clientSecret: '', basicClientId: '', basicClientSecret: '' };
  after(async () => {
    if (postgres) await dropPostgresSchema(postgres.schema);
  });

  it('site create prints the id of each new site', async () => {
    for (const handle of ['myboard', 'otherboard']) {
      const stdout = await run('site', 'create', '--handle', handle, '--name', 'My Board', '--url', 'https://jobs.example');
      assert.match(stdout, printsId);
      made.siteIds.push(Number(stdout));
    }
    assert.equal(new Set(made.siteIds).size, 2);
  });

  it('org create prints the id of a new organisation, with credits or (no --credits) unlimited', async () => {
    assert.match(await run('org', 'create', '--handle', 'ACME', '--name', 'Acme Ltd', '--credits', '10'), printsId);
    assert.match(await run('org', 'create', '--handle', 'OTHER', '--name', 'Other Ltd'), printsId);
  });

  it('org credits adds credits and prints the new balance', async () => {
    assert.equal(await run('org', 'credits', '--handle', 'ACME', '--add', '5'), 'ACME now has 15 credits\n');
  });

  it('org credits takes credits away with a negative --add, written either way', async () => {
    assert.equal(await run('org', 'credits', '--handle', 'ACME', '--add', '-3'), 'ACME now has 12 credits\n');
    assert.equal(await run('org', 'credits', '--handle', 'ACME', '--add=-2'), 'ACME now has 10 credits\n');
  });

  it('org credits refuses to take away more credits than there are', async () => {
    const args = ['org', 'credits', '--handle', 'ACME', '--add', '-11'];
    assertFailed(args, await jobspace(databaseUrl, args), /"ACME" has only 10 credits/);
  });

  it('org credits --add 0 says it changed nothing', async () => {
    assert.equal(await run('org', 'credits', '--handle', 'ACME', '--add', '0'), 'ACME has 10 credits; nothing changed\n');
    assert.equal(await run('org', 'credits', '--handle', 'ACME', '--add', '5'), 'ACME now has 15 credits\n');
  });

  it('user create prints the id of a new user in an organisation', async () => {
    const args = ['--username', user.username, '--password', user.password, '--name', 'Jo', '--org', 'ACME'];
    assert.match(await run('user', 'create', ...args, '--timezone', timezone), printsId);
  });

  it('user add-org adds the user to a second organisation', async () => {
    const stdout = await run('user', 'add-org', '--username', user.username, '--org', 'OTHER');
    assert.equal(stdout, `${user.username} is now a member of OTHER\n`);
  });

  it('user add-org again says the user is already a member and changes nothing', async () => {
    const stdout = await run('user', 'add-org', '--username', user.username, '--org', 'OTHER');
    assert.equal(stdout, `${user.username} is already a member of OTHER; nothing changed\n`);
  });

  it('client create prints client_id and client_secret once', async () => {
    const stdout = await run('client', 'create', '--name', 'Vendor ATS', '--sites', made.siteIds.join(','));
    const match = printsClient.exec(stdout);
    assert.ok(match, stdout);
    [, made.clientId = '', made.clientSecret = ''] = match;
    assert.equal(stdout.split(made.clientSecret).length, 2, 'the secret appears exactly once');
  });

  it('client create --basic makes a client allowed HTTP Basic', async () => {
    const stdout = await run('client', 'create', '--name', 'Basic ATS', '--sites', String(made.siteIds[0]), '--basic');
    const match = printsClient.exec(stdout);
    assert.ok(match, stdout);
    [, made.basicClientId = '', made.basicClientSecret = ''] = match;
  });

  describe('what they made works end to end', () => {
    let app: FastifyInstance;
    let token: string;
    before(async () => {
      // The CLI has migrated this database already, so no demo tenant is made here.
      app = await buildApp(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0', LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0' }));
      assert.equal(app.demoTenant, null);
    });
    after(() => app.close());

    it('stores the user in both organisations, with its time zone', async () => {
      const row = await app.store.db
        .selectFrom('users')
        .select(['id', 'timezone'])
        .where('username', '=', user.username)
        .executeTakeFirstOrThrow();
      assert.equal(row.timezone, timezone);
      const organisations = await listUserOrganisations(app.store.db, row.id);
      assert.deepEqual(organisations.map((organisation) => organisation.handle).sort(), ['ACME', 'OTHER']);
    });

    it('keeps only a hash of the client secret', async () => {
      const client = await app.store.db
        .selectFrom('api_clients')
        .select('secret_hash')
        .where('client_id', '=', made.clientId)
        .executeTakeFirstOrThrow();
      assert.ok(!client.secret_hash.includes(made.clientSecret));
    });

    it('issues a token to the CLI-made client and user that reads GET /api/job', async () => {
      token = await issueToken(app, { clientId: made.clientId, clientSecret: made.clientSecret, ...user });
      const response = await app.inject({ method: 'GET', url: '/api/job', headers: auth(token) });
      assert.equal(response.statusCode, 200, response.body);
    });

    it('lets only the --basic client authenticate with Client-Id, Client-Secret and Basic', async () => {
      const basicUser = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      const request = (clientId: string, clientSecret: string) =>
        app.inject({
          method: 'GET',
          url: '/api/job',
          headers: { accept: V1, authorization: basicUser, 'client-id': clientId, 'client-secret': clientSecret },
        });
      assert.equal((await request(made.basicClientId, made.basicClientSecret)).statusCode, 200);
      assert.equal((await request(made.clientId, made.clientSecret)).statusCode, 401);
    });

    it('user remove-org takes the organisation from the token on its next request; again, it changes nothing', async () => {
      const job = jobJson({ organisation: 'OTHER', sites: [made.siteIds[0]] });
      const created = await app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: job });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().data.id;
      // Read once more, so that this process remembers the caller as it was.
      assert.equal((await app.inject({ url: `/api/job/${id}`, headers: auth(token) })).statusCode, 200);
      const stdout = await run('user', 'remove-org', '--username', user.username, '--org', 'OTHER');
      assert.equal(stdout, `${user.username} is no longer a member of OTHER\n`);
      assert.equal((await app.inject({ url: `/api/job/${id}`, headers: auth(token) })).statusCode, 404);
      const list = await app.inject({ url: '/api/job', headers: auth(token) });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().data, []);
      const again = await app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: { ...job, reference: 'AGAIN' } });
      assert.equal(again.statusCode, 403);
      const twice = await run('user', 'remove-org', '--username', user.username, '--org', 'OTHER');
      assert.equal(twice, `${user.username} is not a member of OTHER; nothing changed\n`);
    });

    it('answers 401 to the token, and refuses new ones, once client revoke has run', async () => {
      assert.equal(await run('client', 'revoke', '--id', made.clientId), `client ${made.clientId} revoked; its tokens no longer work\n`);
      const response = await app.inject({ method: 'GET', url: '/api/job', headers: auth(token) });
      assert.equal(response.statusCode, 401);
      const again = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'password', client_id: made.clientId, client_secret: made.clientSecret, ...user },
      });
      assert.equal(again.statusCode, 401);
    });

    it('client revoke again says the client was already revoked and changes nothing', async () => {
      const before = await revokedAt(app, made.clientId);
      assert.equal(await run('client', 'revoke', '--id', made.clientId), `client ${made.clientId} was already revoked; nothing changed\n`);
      assert.equal(await revokedAt(app, made.clientId), before);
    });
  });
});

async function revokedAt(app: FastifyInstance, clientId: string) {
  const client = await app.store.db.selectFrom('api_clients').select('revoked_at').where('client_id', '=', clientId).executeTakeFirstOrThrow();
  assert.ok(client.revoked_at);
  return client.revoked_at;
}

/*
 * Input is checked the same way on every store, so these run on SQLite only,
 * against the demo tenant: organisation JDT (unlimited credits), sites 1 and 2.
 */
describe('jobspace rejects bad input with exit 2 and one line naming the problem', () => {
  const newUser = ['user', 'create', '--username', 'al@acme.example', '--password', user.password, '--name', 'Al'];
  const withUsername = (username: string) => ['user', 'create', '--username', username, '--password', user.password, '--name', 'Al', '--org', 'JDT'];
  const newOrg = ['org', 'create', '--handle', 'TEN', '--name', 'Ten Ltd'];
  const cases: [title: string, args: string[], problem: RegExp][] = [
    ['no command at all', [], /no command given \(jobspace help lists the commands\)/],
    ['options without a command', ['--handle', 'ACME'], /no command given/],
    ['a group without its command', ['org'], /unknown command "org"; org has create, credits/],
    ['org create without --handle', ['org', 'create', '--name', 'Acme Ltd'], /org create needs --handle H \(jobspace help org create for its options\)/],
    ['user create without --org', newUser, /user create needs --org H/],
    ['an option the command does not have', [...newOrg, '--add', '5'], /org create has no option --add \(jobspace help org create for its options\)/],
    ['an option left without its value', ['org', 'create', '--name', 'Ten Ltd', '--handle'], /--handle needs a value \(H\)/],
    ['an option followed by the next option instead of its value', ['org', 'create', '--handle', '--name', 'Ten Ltd'], /--handle needs a value/],
    ['an option given twice', [...newOrg, '--name', 'Again'], /--name is given twice/],
    ['a value given to a switch', ['client', 'create', '--name', 'Vendor', '--sites', '1', '--basic=yes'], /--basic takes no value, got "yes"/],
    ['a word after the command', ['org', 'create', 'TEN', '--name', 'Ten Ltd'], /unexpected argument "TEN"/],
    ['org create with a handle that exists', ['org', 'create', '--handle', 'JDT', '--name', 'Again'], /"JDT" exists/],
    ['org create with --credits that is not a number', [...newOrg, '--credits', 'ten'], /--credits must be a whole number from 0 to \d+, got "ten"/],
    ['org create with negative --credits', [...newOrg, '--credits', '-5'], /--credits must be a whole number from 0 .*"-5"/],
    ['org create with negative --credits after =', [...newOrg, '--credits=-5'], /--credits must be .*"-5"/],
    ['org create with --credits in exponent form', [...newOrg, '--credits', '1e3'], /--credits must be .*"1e3"/],
    ['org credits with --add that is not a number', ['org', 'credits', '--handle', 'JDT', '--add', 'abc'], /--add must be a whole number .*"abc"/],
    ['org credits with a fraction', ['org', 'credits', '--handle', 'JDT', '--add', '1.5'], /--add must be a whole number .*"1\.5"/],
    ['org credits on an organisation with unlimited credits', ['org', 'credits', '--handle', 'JDT', '--add', '5'], /"JDT" has unlimited credits/],
    ['seed fake with a fraction of a job', ['seed', 'fake', '--jobs', '1.5'], /--jobs must be a whole number from 1 .*"1\.5"/],
    ['seed fake with no jobs', ['seed', 'fake', '--jobs', '0'], /--jobs must be a whole number from 1 .*"0"/],
    ['user create for an unknown organisation', [...newUser, '--org', 'NOPE'], /no organisation has handle "NOPE"/],
    ['user create with a username that is no e-mail address', withUsername('al'), /username must be an e-mail address .*"al"/],
    ['user create with a username without a domain', withUsername('al@acme'), /username must be an e-mail address .*"al@acme"/],
    ['user create with a username holding a space', withUsername('al smith@acme.example'), /username must be an e-mail address/],
    ['user create with a username with two @', withUsername('al@b@acme.example'), /username must be an e-mail address/],
    ['user create with a username too long', withUsername(`${'a'.repeat(242)}@acme.example`), /username must be at most 254 characters/],
    ['user create with a time zone that is not an IANA zone', [...newUser, '--org', 'JDT', '--timezone', 'Mars/Base'], /timezone "Mars\/Base"/],
    ['user remove-org of an unknown user', ['user', 'remove-org', '--username', 'nobody@acme.example', '--org', 'JDT'], /no user "nobody@acme\.example"/],
    ['user remove-org of an unknown organisation', ['user', 'remove-org', '--username', 'demo@example.com', '--org', 'NOPE'], /no organisation has handle "NOPE"/],
    ['client create with --sites that is not a list of ids', ['client', 'create', '--name', 'Vendor', '--sites', '1,x'], /sites .*"1,x"/],
    ['client create for a site that does not exist', ['client', 'create', '--name', 'Vendor', '--sites', '1,999'], /site.*999.*exist/],
    ['client revoke of an unknown client id', ['client', 'revoke', '--id', 'no-such-client'], /no client "no-such-client"/],
    ['job purge without --deleted-before', ['job', 'purge'], /job purge needs --deleted-before YYYY-MM-DD/],
    ['job purge before a day that does not exist', ['job', 'purge', '--deleted-before', '2021-02-30'], /--deleted-before must be a day that exists, as YYYY-MM-DD, got "2021-02-30"/],
  ];
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite');
  });
  after(() => test.close());

  for (const [title, args, problem] of cases) {
    it(title, async () => assertFailed(args, await jobspace(test.config.databaseUrl, args), problem));
  }

  it('an unknown command, without creating the database', async () => {
    const absent = join(folder, 'absent.sqlite');
    assertFailed(['frob', 'create'], await jobspace(`sqlite:${absent}`, ['frob', 'create']), /unknown command "frob create"/);
    assert.equal(existsSync(absent), false);
  });

  it('a bad option value, without creating the database', async () => {
    const absent = join(folder, 'absent.sqlite');
    const args = ['org', 'create', '--handle', 'TEN', '--name', 'Ten', '--credits', '-1'];
    assertFailed(args, await jobspace(`sqlite:${absent}`, args), /--credits/);
    assert.equal(existsSync(absent), false);
  });

  it('a demo username that is no e-mail address, naming the variable', async () => {
    const args = ['org', 'create', '--handle', 'TEN', '--name', 'Ten'];
    const run = await jobspace(test.config.databaseUrl, args, { JOBSPACE_DEMO_USERNAME: 'demo' });
    assertFailed(args, run, /^jobspace: JOBSPACE_DEMO_USERNAME must be an e-mail address .*"demo"/);
  });

  it('exits 1 with one line when the store itself fails', async () => {
    const run = await jobspace('postgres://root@127.0.0.1:1/test', ['org', 'create', '--handle', 'TEN', '--name', 'Ten']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^jobspace: failed: [^\n]+\n$/);
  });
});

describe('jobspace help', () => {
  const helps = (...args: string[]) => succeeds('sqlite::memory:', args);

  it('lists every command, seed fake, backup and restore among them, for help, --help and -h', async () => {
    const usage = await helps('help');
    assert.match(usage, /^Usage: jobspace <command> \[options\]\n/);
    for (const command of ['site create', 'org credits', 'user remove-org', 'client revoke', 'seed fake', 'job purge', 'store copy', 'backup', 'restore']) {
      assert.match(usage, new RegExp(`^  ${command} `, 'm'));
    }
    assert.equal(await helps('--help'), usage);
    assert.equal(await helps('-h'), usage);
  });

  it('explains one command\'s options, for help <command> and <command> --help', async () => {
    const usage = await helps('help', 'seed', 'fake');
    assert.match(usage, /^Usage: jobspace seed fake --jobs N \[--org H\] \[--seed S\]\n/);
    assert.match(usage, /^ {2}--jobs N +how many jobs, 1 or more$/m);
    assert.match(usage, /^ {2}--seed S +a whole number/m);
    assert.equal(await helps('seed', 'fake', '--help'), usage);
    assert.equal(await helps('seed', 'fake', '--jobs', 'x', '-h'), usage, 'help wins over the other options');
  });

  it('says in restore\'s usage that the server must be stopped', async () => {
    assert.match(await helps('help', 'restore'), /Stop the server first/);
  });

  it('refuses help for an unknown command with one line', async () => {
    assertFailed(['help', 'frob'], await jobspace('sqlite::memory:', ['help', 'frob']), /unknown command "frob"/);
  });
});

describe('the installed binary, bin/jobspace.js', () => {
  it('prints the usage and exits 0 for --help', async () => {
    const run = await runJobspaceBinary(['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: jobspace/);
  });

  it('runs a command against a SQLite file, and exits 0 once it has closed the store', async () => {
    const run = await runJobspaceBinary(['org', 'create', '--handle', 'ACME', '--name', 'Acme'], { DATABASE_URL: `sqlite:${join(folder, 'binary.sqlite')}` });
    assert.deepEqual(run, { code: 0, stdout: '1\n', stderr: '' });
  });

  it('exits 2 with one line for bad input', async () => {
    const args = ['org', 'create', '--handle', 'ACME', '--name', 'Acme', '--credits', '-5'];
    assertFailed(args, await runJobspaceBinary(args, { DATABASE_URL: `sqlite:${join(folder, 'binary.sqlite')}` }), /--credits/);
  });
});
