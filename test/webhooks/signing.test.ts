import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { loadSigningKey, signatureHeader, webhookSecret } from '../../src/webhooks/signing.ts';

describe('the webhook signing key', () => {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-signing-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('outside production, is made once in a file beside the SQLite store, readable by its owner only, and kept', async () => {
    const config = loadConfig({ DATABASE_URL: `sqlite:${join(folder, 'store.sqlite')}` });
    assert.equal(config.deliveries.signingKeyFile, join(folder, 'webhook-signing.key'));
    const [first, ...others] = await Promise.all(Array.from({ length: 8 }, () => loadSigningKey(config.deliveries)));
    assert.equal(first?.length, 32);
    for (const other of others) assert.deepEqual(other, first, 'processes starting together agree on one key');
    assert.deepEqual(readdirSync(folder).filter((name) => name.includes('partial')), [], 'no partial key file left');
    assert.deepEqual(await loadSigningKey(config.deliveries), first);
    assert.equal(statSync(config.deliveries.signingKeyFile).mode & 0o777, 0o600);
  });

  it('refuses a key file that holds no key rather than signing with an empty one', async () => {
    const config = loadConfig({ DATABASE_URL: `sqlite:${join(folder, 'damaged', 'store.sqlite')}` });
    await loadSigningKey(config.deliveries);
    writeFileSync(config.deliveries.signingKeyFile, '\n');
    await assert.rejects(loadSigningKey(config.deliveries), /must hold a key of 64 or more hex digits/);
  });

  it('is WEBHOOK_SIGNING_KEY when set: 64+ hex digits, or 32+ characters', async () => {
    const hex = 'ab'.repeat(32);
    assert.deepEqual(await loadSigningKey(loadConfig({ WEBHOOK_SIGNING_KEY: hex }).deliveries), Buffer.from(hex, 'hex'));
    assert.throws(() => loadConfig({ WEBHOOK_SIGNING_KEY: 'too short' }), (error: unknown) =>
      error instanceof ConfigError && error.message === 'WEBHOOK_SIGNING_KEY must hold at least 32 bytes (64 hex digits)');
  });

  it('is required in production: the configuration is refused without it', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (error: unknown) =>
      error instanceof ConfigError && /^WEBHOOK_SIGNING_KEY is required in production/.test(error.message));
  });

  it('derives a distinct secret per salt and signs "<t>.<body>"', () => {
    const key = Buffer.alloc(32, 7);
    assert.notEqual(webhookSecret(key, 'a'), webhookSecret(key, 'b'));
    assert.match(signatureHeader('secret', '{"a":1}', 1700000000), /^t=1700000000,v1=[0-9a-f]{64}$/);
  });
});
