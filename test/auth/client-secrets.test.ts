import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, DEMO, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { digestClientSecret, hashSecret } from '../../src/auth/secrets.ts';
import { createClient } from '../../src/tenancy/service.ts';
import { insertClient } from '../../src/tenancy/repository.ts';
import { nowIso } from '../../src/clock.ts';

let clients = 0;

for (const store of stores) describe(`client secrets at POST /oauth/token [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  const token = (payload: Record<string, string>) => test.app.inject({ method: 'POST', url: '/oauth/token', payload });
  const passwordGrant = (clientId: string, clientSecret: string) => token(passwordGrantFor({ ...DEMO, clientId, clientSecret }));
  const storedHash = async (clientId: string) =>
    (await test.app.store.db.selectFrom('api_clients').select('secret_hash').where('client_id', '=', clientId).executeTakeFirstOrThrow())
      .secret_hash;

  /** A client as earlier versions stored it: its secret under scrypt. */
  async function insertScryptClient(kind: 'vendor' | 'board' = 'vendor') {
    clients += 1;
    const client = { clientId: `scrypt-client-${clients}`, clientSecret: `scrypt-client-secret-${clients}` };
    const secretHash = await hashSecret(client.clientSecret);
    const row = { client_id: client.clientId, secret_hash: secretHash, name: 'Older client', kind, allow_basic: 0 };
    await test.app.store.db.transaction().execute((tx) => insertClient(tx, row, [1], nowIso()));
    return client;
  }

  it('stores a new client secret as its SHA-256 digest, which authenticates the client', async () => {
    const client = await createClient(test.app.store.db, { name: 'New vendor', siteIds: [1], allowBasic: false });
    assert.equal(await storedHash(client.clientId), digestClientSecret(client.clientSecret));
    assert.match(await storedHash(client.clientId), /^sha256\$[0-9a-f]{64}$/);
    assert.equal((await passwordGrant(client.clientId, client.clientSecret)).statusCode, 200);
  });

  it('answers invalid_client for a wrong secret and for an unknown client', async () => {
    const client = await createClient(test.app.store.db, { name: 'New vendor', siteIds: [1], allowBasic: false });
    assert.equal((await passwordGrant(client.clientId, `${client.clientSecret}x`)).json().error, 'invalid_client');
    assert.equal((await passwordGrant('no-such-client', client.clientSecret)).json().error, 'invalid_client');
  });

  it('authenticates a client whose secret is stored under scrypt, and stores its digest instead', async () => {
    const client = await insertScryptClient();
    assert.equal((await passwordGrant(client.clientId, client.clientSecret)).statusCode, 200);
    assert.equal(await storedHash(client.clientId), digestClientSecret(client.clientSecret));
    assert.equal((await passwordGrant(client.clientId, client.clientSecret)).statusCode, 200);
  });

  it('keeps the scrypt hash of a client whose secret did not match', async () => {
    const client = await insertScryptClient();
    const scryptHash = await storedHash(client.clientId);
    assert.match(scryptHash, /^scrypt\$/);
    assert.equal((await passwordGrant(client.clientId, 'not-the-secret')).json().error, 'invalid_client');
    assert.equal(await storedHash(client.clientId), scryptHash);
  });

  it('replaces the scrypt hash of a board client on its first client_credentials grant', async () => {
    const client = await insertScryptClient('board');
    const response = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(await storedHash(client.clientId), digestClientSecret(client.clientSecret));
  });
});
