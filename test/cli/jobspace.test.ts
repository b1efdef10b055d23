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
import { runJobspace, type Run } from '../support/cli.ts';
import { jobJson } from '../support/fixtures.ts';

const folder = mkdtempSync(join(tmpdir(), 'jobspace-cli-'));

/** Runs the binary against the given database. */
const jobspace = (databaseUrl: string, args: string[]) => runJobspace(args, { DATABASE_URL: databaseUrl });

async function succeeds(databaseUrl: string, args: string[]): Promise<string> {
  const run = await jobspace(databaseUrl, args);
  assert.equal(run.code, 0, `jobspace ${args.join(' ')} failed: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run.stdout;
}

/** Bad input: exit 2, nothing on stdout, one line naming the problem (then the usage, for a wrong command), no stack trace. */
function assertFailed(args: string[], run: Run, problem: RegExp): void {
  assert.equal(run.code, 2, `jobspace ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  const message = run.stderr.replace(/\n\nUsage: jobspace [^]*$/, '\n');
  assert.match(message, /^jobspace: [^\n]+\n$/);
  assert.match(message, problem);
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

  it('user create prints the id of a new user in an organisation', async () => {
    const args = ['--username', user.username, '--password', user.password, '--name', 'Jo', '--org', 'ACME'];
    assert.match(await run('user', 'create', ...args, '--timezone', timezone), printsId);
  });

  it('user add-org adds the user to a second organisation', async () => {
    const stdout = await run('user', 'add-org', '--username', user.username, '--org', 'OTHER');
    assert.equal(stdout, `${user.username} is now a member of OTHER\n`);
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
      app = await buildApp(loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }));
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

    it('user remove-org takes the organisation from the token on its next request, and refuses to remove it twice', async () => {
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
      const args = ['user', 'remove-org', '--username', user.username, '--org', 'OTHER'];
      assertFailed(args, await jobspace(databaseUrl, args), /jo@acme\.example is not a member of OTHER/);
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
  });
});

/*
 * Input is checked the same way on every store, so these run on SQLite only,
 * against the demo tenant: organisation JDT (unlimited credits), sites 1 and 2.
 */
describe('jobspace rejects bad input with exit 2 and one line naming the problem', () => {
  const newUser = ['user', 'create', '--username', 'al@acme.example', '--password', user.password, '--name', 'Al'];
  const cases: [title: string, args: string[], problem: RegExp][] = [
    ['org create without --handle', ['org', 'create', '--name', 'Acme Ltd'], /handle is required/],
    ['org create with a handle that exists', ['org', 'create', '--handle', 'JDT', '--name', 'Again'], /"JDT" exists/],
    [
      'org create with --credits that is not a number',
      ['org', 'create', '--handle', 'TEN', '--name', 'Ten Ltd', '--credits', 'ten'],
      /credits .*"ten"/,
    ],
    [
      'org credits on an organisation with unlimited credits',
      ['org', 'credits', '--handle', 'JDT', '--add', '5'],
      /"JDT" has unlimited credits/,
    ],
    ['user create for an unknown organisation', [...newUser, '--org', 'NOPE'], /no organisation has handle "NOPE"/],
    ['user create without --org', newUser, /organisation handle is required/],
    [
      'user create with a time zone that is not an IANA zone',
      [...newUser, '--org', 'JDT', '--timezone', 'Mars/Base'],
      /timezone "Mars\/Base"/,
    ],
    ['user remove-org of an unknown user', ['user', 'remove-org', '--username', 'nobody@acme.example', '--org', 'JDT'], /no user "nobody@acme\.example"/],
    ['user remove-org of an unknown organisation', ['user', 'remove-org', '--username', 'demo@example.com', '--org', 'NOPE'], /no organisation has handle "NOPE"/],
    ['client create with --sites that is not a list of ids', ['client', 'create', '--name', 'Vendor', '--sites', '1,x'], /sites .*"1,x"/],
    ['client create for a site that does not exist', ['client', 'create', '--name', 'Vendor', '--sites', '1,999'], /site.*999.*exist/],
    ['client revoke of an unknown client id', ['client', 'revoke', '--id', 'no-such-client'], /no client "no-such-client"/],
    ['job purge without --deleted-before', ['job', 'purge'], /needs --deleted-before YYYY-MM-DD/],
    ['job purge before a day that does not exist', ['job', 'purge', '--deleted-before', '2021-02-30'], /needs --deleted-before YYYY-MM-DD/],
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

  it('prints the usage, and exits 0, for --help', async () => {
    assert.match(await succeeds(test.config.databaseUrl, ['--help']), /^Usage: jobspace/);
  });
});
