import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, DEMO, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { runJobspace } from '../support/cli.ts';
import { createClient } from '../../src/tenancy/service.ts';
import { buildApp } from '../../src/app.ts';
import { digestClientSecret } from '../../src/auth/secrets.ts';

const HOUR_MS = 3_600_000;
const printsRotation = /^client_id (\S+)\nclient_secret (\S+)\n\(the secret is shown once; only its hash is kept; (.+)\)\n$/;

for (const store of stores) describe(`jobspace client rotate-secret [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(async () => {
    mock.timers.reset();
    await test.close();
  });

  const jobspace = (...args: string[]) => runJobspace(args, { DATABASE_URL: test.config.databaseUrl });
  const newClient = () => createClient(test.app.store.db, { name: 'Rotating vendor', siteIds: [1], allowBasic: false });
  const tokenStatus = async (clientId: string, clientSecret: string, app = test.app) =>
    (await app.inject({ method: 'POST', url: '/oauth/token', payload: passwordGrantFor({ ...DEMO, clientId, clientSecret }) })).statusCode;
  async function rotate(clientId: string, ...options: string[]): Promise<string> {
    const run = await jobspace('client', 'rotate-secret', '--id', clientId, ...options);
    assert.equal(run.code, 0, run.stderr);
    const [, printedId, secret] = printsRotation.exec(run.stdout) ?? [];
    assert.equal(printedId, clientId);
    return secret as string;
  }
  /** Moves Date (and so every expiry check) this far ahead of now; timers stay real. */
  const later = (ms: number) => mock.timers.enable({ apis: ['Date'], now: Date.now() + ms });

  it('prints a new secret once and stores only its digest, beside the old digest and its expiry', async () => {
    const client = await newClient();
    const secret = await rotate(client.clientId);
    const row = await test.app.store.db.selectFrom('api_clients').selectAll().where('client_id', '=', client.clientId).executeTakeFirstOrThrow();
    assert.equal(row.secret_hash, digestClientSecret(secret));
    assert.equal(row.previous_secret_hash, digestClientSecret(client.clientSecret));
    const overlapMs = Date.parse(row.previous_secret_expires_at as string) - Date.now();
    assert.ok(overlapMs > 23 * HOUR_MS && overlapMs <= 24 * HOUR_MS, 'the default overlap is 24 hours');
  });

  it('lets both secrets authenticate during the overlap, and only the new one after it', async () => {
    const client = await newClient();
    const secret = await rotate(client.clientId, '--overlap', '2h');
    assert.equal(await tokenStatus(client.clientId, secret), 200);
    assert.equal(await tokenStatus(client.clientId, client.clientSecret), 200);
    later(2 * HOUR_MS + 1000);
    try {
      assert.equal(await tokenStatus(client.clientId, secret), 200);
      assert.equal(await tokenStatus(client.clientId, client.clientSecret), 401);
    } finally {
      mock.timers.reset();
    }
  });

  it('with --overlap 0 the old secret stops at once', async () => {
    const client = await newClient();
    const secret = await rotate(client.clientId, '--overlap', '0');
    assert.equal(await tokenStatus(client.clientId, client.clientSecret), 401);
    assert.equal(await tokenStatus(client.clientId, secret), 200);
  });

  it('is seen at once by another process on the same store, which keeps no secret of its own', async () => {
    const worker = await buildApp(test.config);
    try {
      const client = await newClient();
      assert.equal(await tokenStatus(client.clientId, client.clientSecret, worker), 200);
      const secret = await rotate(client.clientId, '--overlap', '0');
      assert.equal(await tokenStatus(client.clientId, client.clientSecret, worker), 401);
      assert.equal(await tokenStatus(client.clientId, secret, worker), 200);
    } finally {
      await worker.close();
    }
  });

  it('keeps one previous secret: a second rotation ends the first secret at once', async () => {
    const client = await newClient();
    const second = await rotate(client.clientId);
    const third = await rotate(client.clientId);
    assert.equal(await tokenStatus(client.clientId, client.clientSecret), 401);
    assert.equal(await tokenStatus(client.clientId, second), 200);
    assert.equal(await tokenStatus(client.clientId, third), 200);
  });

  it('records the rotation in the audit trail, without any secret', async () => {
    const client = await newClient();
    const secret = await rotate(client.clientId);
    const rows = await test.app.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'client.rotate_secret').where('target_id', '=', client.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.source, 'operator');
    assert.ok(!JSON.stringify(rows).includes(secret));
  });

  it('refuses an unknown client and a revoked one with exit 2 and one line', async () => {
    const unknown = await jobspace('client', 'rotate-secret', '--id', 'no-such-client');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.equal(unknown.stderr, 'jobspace: no client "no-such-client"\n');
    const client = await newClient();
    assert.equal((await jobspace('client', 'revoke', '--id', client.clientId)).code, 0);
    const revoked = await jobspace('client', 'rotate-secret', '--id', client.clientId);
    assert.equal(revoked.code, 2);
    assert.match(revoked.stderr, /^jobspace: client "\S+" is revoked; its secret cannot be rotated\n$/);
  });

  it('refuses an overlap that is not a duration, or longer than 30 days, before opening the store', async () => {
    for (const overlap of ['soon', '-1h', '1.5h', '31d']) {
      const run = await runJobspace(['client', 'rotate-secret', '--id', 'x', '--overlap', overlap], { DATABASE_URL: 'sqlite:/nonexistent/dir/x.sqlite' });
      assert.equal(run.code, 2, overlap);
      assert.match(run.stderr, /^jobspace: --overlap must be a duration such as 0, 90s, 30m, 24h or 7d, at most 30d, got "[^"]+"\n$/);
    }
  });
});
