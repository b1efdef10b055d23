import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/db/connect.ts';
import { dropPostgresSchema, freshPostgresUrl, stores } from '../support/stores.ts';
import { runJobspace } from '../support/cli.ts';

const folder = mkdtempSync(join(tmpdir(), 'jobspace-audit-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const DAY_MS = 86_400_000;
const LINE = /^(\S+) (\S+) (\w+)=(\d+) org=(\S+) client=(\S+) user=(\S+) request=(\S+) source=(\S+)$/;

for (const store of stores) describe(`jobspace audit, and the operator writes it records [${store}]`, () => {
  const postgres = store === 'postgres' ? freshPostgresUrl() : null;
  const databaseUrl = postgres ? postgres.url : `sqlite:${join(folder, `${store}.sqlite`)}`;
  after(async () => {
    mock.timers.reset();
    if (postgres) await dropPostgresSchema(postgres.schema);
  });
  const jobspace = (...args: string[]) => runJobspace(args, { DATABASE_URL: databaseUrl });
  async function run(...args: string[]): Promise<string> {
    const result = await jobspace(...args);
    assert.equal(result.code, 0, `jobspace ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }
  const lines = async (...args: string[]) => (await run('audit', ...args)).split('\n').filter(Boolean);
  const actionsOf = (printed: string[]) => printed.map((line) => LINE.exec(line)?.[2]);
  const ids = { site: '', old: '', acme: '', user: '', clientId: '' };

  it('records each operator write once, source operator, with no client, user or request', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() - 2 * DAY_MS });
    try {
      ids.old = (await run('org', 'create', '--handle', 'OLDCO', '--name', 'Old Co')).trim();
    } finally {
      mock.timers.reset();
    }
    ids.site = (await run('site', 'create', '--handle', 'board', '--name', 'Board', '--url', 'https://board.example')).trim();
    ids.acme = (await run('org', 'create', '--handle', 'ACME', '--name', 'Acme', '--credits', '5')).trim();
    await run('org', 'credits', '--handle', 'ACME', '--add', '3');
    ids.user = (await run('user', 'create', '--username', 'jo@acme.example', '--password', 'a-long-password', '--name', 'Jo', '--org', 'ACME')).trim();
    await run('user', 'add-org', '--username', 'jo@acme.example', '--org', 'OLDCO');
    await run('user', 'remove-org', '--username', 'jo@acme.example', '--org', 'OLDCO');
    ids.clientId = /^client_id (\S+)/.exec(await run('client', 'create', '--name', 'Vendor', '--sites', ids.site))?.[1] as string;
    await run('client', 'revoke', '--id', ids.clientId);

    const printed = await lines('--limit', '100');
    assert.deepEqual(actionsOf(printed), [
      'organisation.create', 'site.create', 'organisation.create', 'organisation.credits', 'user.create',
      'user.add_organisation', 'user.remove_organisation', 'client.create', 'client.revoke',
    ]);
    for (const line of printed) {
      const [, at, , , , , client, user, request, source] = LINE.exec(line) ?? [];
      assert.equal(new Date(at as string).toISOString(), at, 'an ISO time in UTC');
      assert.deepEqual([client, user, request, source], ['-', '-', '-', 'operator']);
    }
    // user.create: its target is the user, its organisation the user's first.
    assert.equal(LINE.exec(printed[4] as string)?.[4], ids.user);
    assert.equal(LINE.exec(printed[4] as string)?.[5], ids.acme);
  });

  it('a repeated or refused operator write records nothing', async () => {
    const before = await lines('--limit', '100');
    await run('client', 'revoke', '--id', ids.clientId);
    await run('user', 'remove-org', '--username', 'jo@acme.example', '--org', 'OLDCO');
    await run('org', 'credits', '--handle', 'ACME', '--add', '0');
    assert.equal((await jobspace('org', 'credits', '--handle', 'ACME', '--add', '-100')).code, 2);
    assert.equal((await jobspace('user', 'create', '--username', 'jo@acme.example', '--password', 'a-long-password', '--name', 'Jo', '--org', 'ACME')).code, 2);
    assert.deepEqual(await lines('--limit', '100'), before);
  });

  it('--org shows that organisation\'s entries only; --since those from then on; --limit the newest', async () => {
    assert.deepEqual(actionsOf(await lines('--org', 'ACME')), ['organisation.create', 'organisation.credits', 'user.create']);
    assert.deepEqual(actionsOf(await lines('--org', 'OLDCO')), ['organisation.create', 'user.add_organisation', 'user.remove_organisation']);
    const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    assert.deepEqual(actionsOf(await lines('--org', 'OLDCO', '--since', yesterday)), ['user.add_organisation', 'user.remove_organisation']);
    assert.deepEqual(actionsOf(await lines('--since', new Date(Date.now() + DAY_MS).toISOString())), []);
    assert.deepEqual(actionsOf(await lines('--limit', '2')), ['client.create', 'client.revoke']);
  });

  it('--json prints one object per line', async () => {
    const [first] = (await lines('--org', 'ACME', '--json')).map((line) => JSON.parse(line));
    assert.equal(first.action, 'organisation.create');
    assert.equal(first.target_type, 'organisation');
    assert.equal(String(first.target_id), ids.acme);
    assert.equal(first.source, 'operator');
  });

  it('refuses an unknown organisation, a bad --since and a bad --limit with exit 2', async () => {
    for (const [args, problem] of [
      [['--org', 'NOPE'], /no organisation has handle "NOPE"/],
      [['--since', 'yesterday'], /--since must be a day as YYYY-MM-DD/],
      [['--since', '2026-02-30'], /--since must be a day/],
      [['--limit', '0'], /--limit must be a whole number from 1 to 100000/],
    ] as const) {
      const result = await jobspace('audit', ...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, problem);
    }
  });

  it('the trail is append-only in the store the command wrote', async () => {
    const { db } = openStore(databaseUrl);
    try {
      await assert.rejects(db.updateTable('audit_log').set({ action: 'forged' }).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('audit_log').execute(), /append-only/);
    } finally {
      await db.destroy();
    }
  });
});
