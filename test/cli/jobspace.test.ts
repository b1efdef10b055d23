import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { listUserOrganisations } from '../../src/tenancy/repository.ts';
import { auth, issueToken, V1 } from '../support/app.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'jobspace-cli-'));
const DATABASE_URL = `sqlite:${join(folder, 'x.sqlite')}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed binary as an operator would, against the given database. */
function jobspace(args: string[], databaseUrl = DATABASE_URL): Promise<Run> {
  const env = { PATH: process.env.PATH, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' };
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/jobspace.js', ...args],
      { cwd: ROOT, env, timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

async function succeeds(args: string[]): Promise<string> {
  const run = await jobspace(args);
  assert.equal(run.code, 0, `jobspace ${args.join(' ')} failed: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run.stdout;
}

/** Bad input: exit 2, nothing on stdout, a first line naming the problem, and no stack trace. */
async function failsWith(args: string[], problem: RegExp, databaseUrl?: string): Promise<void> {
  const run = await jobspace(args, databaseUrl);
  assert.equal(run.code, 2, `jobspace ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  const [first] = run.stderr.split('\n');
  assert.match(first as string, /^jobspace: /);
  assert.match(first as string, problem);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
}

const created = {
  siteIds: [] as number[],
  clientId: '',
  clientSecret: '',
  basicClientId: '',
  basicClientSecret: '',
};
const user = { username: 'jo@acme.example', password: 'a-long-password' };
const timezone = 'Europe/Paris';

after(() => rmSync(folder, { recursive: true, force: true }));

describe('jobspace operator commands', () => {
  describe('site create', () => {
    it('prints the id of each new site', async () => {
      for (const handle of ['myboard', 'otherboard']) {
        const stdout = await succeeds(['site', 'create', '--handle', handle, '--name', 'My Board', '--url', 'https://jobs.example']);
        assert.match(stdout, /^\d+\n$/);
        created.siteIds.push(Number(stdout));
      }
      assert.equal(new Set(created.siteIds).size, 2);
    });
  });

  describe('org create', () => {
    it('prints the id of a new organisation with credits', async () => {
      assert.match(await succeeds(['org', 'create', '--handle', 'ACME', '--name', 'Acme Ltd', '--credits', '10']), /^\d+\n$/);
    });

    it('makes an organisation with unlimited credits when --credits is left out', async () => {
      assert.match(await succeeds(['org', 'create', '--handle', 'OTHER', '--name', 'Other Ltd']), /^\d+\n$/);
    });

    it('fails when --handle is missing', () => failsWith(['org', 'create', '--name', 'Acme Ltd'], /handle is required/));

    it('fails on a duplicate handle', () =>
      failsWith(['org', 'create', '--handle', 'ACME', '--name', 'Acme again'], /"ACME" exists/));

    it('fails on credits that are not a number', () =>
      failsWith(['org', 'create', '--handle', 'TEN', '--name', 'Ten Ltd', '--credits', 'ten'], /credits .*"ten"/));
  });

  describe('org credits', () => {
    it('adds credits and prints the new balance', async () => {
      assert.equal(await succeeds(['org', 'credits', '--handle', 'ACME', '--add', '5']), 'ACME now has 15 credits\n');
    });

    it('refuses to add to an organisation with unlimited credits', () =>
      failsWith(['org', 'credits', '--handle', 'OTHER', '--add', '5'], /"OTHER" has unlimited credits/));
  });

  describe('user create', () => {
    it('prints the id of a new user in an organisation', async () => {
      const args = ['user', 'create', '--username', user.username, '--password', user.password, '--name', 'Jo', '--org', 'ACME'];
      assert.match(await succeeds([...args, '--timezone', timezone]), /^\d+\n$/);
    });

    it('fails for an unknown organisation', () =>
      failsWith(
        ['user', 'create', '--username', 'al@acme.example', '--password', user.password, '--name', 'Al', '--org', 'NOPE'],
        /no organisation has handle "NOPE"/,
      ));

    it('fails when --org is missing', () =>
      failsWith(
        ['user', 'create', '--username', 'al@acme.example', '--password', user.password, '--name', 'Al'],
        /organisation handle is required/,
      ));

    it('fails for a time zone that is not an IANA zone', () =>
      failsWith(
        ['user', 'create', '--username', 'al@acme.example', '--password', user.password, '--name', 'Al', '--org', 'ACME', '--timezone', 'Mars/Base'],
        /timezone "Mars\/Base"/,
      ));
  });

  describe('user add-org', () => {
    it('adds the user to a second organisation', async () => {
      const stdout = await succeeds(['user', 'add-org', '--username', user.username, '--org', 'OTHER']);
      assert.equal(stdout, `${user.username} is now a member of OTHER\n`);
    });
  });

  describe('client create', () => {
    it('prints client_id and client_secret once', async () => {
      const stdout = await succeeds(['client', 'create', '--name', 'Vendor ATS', '--sites', created.siteIds.join(',')]);
      const match = /^client_id (\S+)\nclient_secret (\S+)\n/.exec(stdout);
      assert.ok(match, stdout);
      [, created.clientId = '', created.clientSecret = ''] = match;
      assert.equal(stdout.split(created.clientSecret).length, 2, 'the secret appears exactly once');
    });

    it('makes a client allowed HTTP Basic with --basic', async () => {
      const stdout = await succeeds(['client', 'create', '--name', 'Basic ATS', '--sites', String(created.siteIds[0]), '--basic']);
      const match = /^client_id (\S+)\nclient_secret (\S+)\n/.exec(stdout);
      assert.ok(match, stdout);
      [, created.basicClientId = '', created.basicClientSecret = ''] = match;
    });

    it('fails when --sites is not a list of ids', () =>
      failsWith(['client', 'create', '--name', 'Vendor', '--sites', '1,x'], /sites .*"1,x"/));

    it('fails for a site that does not exist', () =>
      failsWith(['client', 'create', '--name', 'Vendor', '--sites', '999'], /site.*999.*exist/));
  });

  describe('client revoke', () => {
    it('fails for an unknown client id', () => failsWith(['client', 'revoke', '--id', 'no-such-client'], /no client "no-such-client"/));
  });

  describe('the command line', () => {
    it('fails on an unknown command without touching the database', async () => {
      const untouched = `sqlite:${join(folder, 'untouched.sqlite')}`;
      await failsWith(['frob', 'create'], /unknown command "frob create"/, untouched);
      assert.equal(existsSync(join(folder, 'untouched.sqlite')), false);
    });

    it('prints the usage for --help', async () => {
      assert.match(await succeeds(['--help']), /^Usage: jobspace/);
    });
  });
});

describe('what the commands made works end to end', () => {
  let app: FastifyInstance;
  let token: string;
  before(async () => {
    // The CLI has migrated this database already, so no demo tenant is made here.
    app = await buildApp(loadConfig({ DATABASE_URL, LOG_LEVEL: 'silent' }));
    assert.equal(app.demoTenant, null);
  });
  after(() => app.close());

  it('stores the user in both organisations, with its time zone', async () => {
    const row = await app.store.db.selectFrom('users').select(['id', 'timezone']).where('username', '=', user.username).executeTakeFirstOrThrow();
    assert.equal(row.timezone, timezone);
    const organisations = await listUserOrganisations(app.store.db, row.id);
    assert.deepEqual(organisations.map((organisation) => organisation.handle).sort(), ['ACME', 'OTHER']);
  });

  it('keeps only a hash of the client secret', async () => {
    const client = await app.store.db.selectFrom('api_clients').select('secret_hash').where('client_id', '=', created.clientId).executeTakeFirstOrThrow();
    assert.ok(!client.secret_hash.includes(created.clientSecret));
  });

  it('issues a token to the CLI-made client and user that reads GET /api/job', async () => {
    token = await issueToken(app, { clientId: created.clientId, clientSecret: created.clientSecret, ...user });
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
    assert.equal((await request(created.basicClientId, created.basicClientSecret)).statusCode, 200);
    assert.equal((await request(created.clientId, created.clientSecret)).statusCode, 401);
  });

  it('answers 401 to the token once client revoke has run', async () => {
    const stdout = await succeeds(['client', 'revoke', '--id', created.clientId]);
    assert.match(stdout, new RegExp(`client ${created.clientId} revoked`));
    const response = await app.inject({ method: 'GET', url: '/api/job', headers: auth(token) });
    assert.equal(response.statusCode, 401);
    const again = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'password', client_id: created.clientId, client_secret: created.clientSecret, ...user },
    });
    assert.equal(again.statusCode, 401);
  });
});
