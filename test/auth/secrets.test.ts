import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  digestClientSecret,
  HASH_COST,
  hashSecret,
  makeCheapHashesForTests,
  Slots,
  verifyClientSecret,
  verifySecret,
} from '../../src/auth/secrets.ts';

// This file alone hashes at the server's cost: test/support/app.ts makes the other suites' hashes cheap.
describe('secret hashing', () => {
  it('hashes at the production cost, 32 MiB of scrypt, with its parameters in the hash', async () => {
    assert.deepEqual(HASH_COST, { N: 32768, r: 8, p: 1 });
    assert.match(await hashSecret('a-long-password'), /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('verifies the secret it hashed and nothing else, with hashes taking turns', async () => {
    const hashes = await Promise.all(['one', 'two', 'three', 'four', 'five', 'six'].map((secret) => hashSecret(secret)));
    assert.equal(await verifySecret('three', hashes[2] as string), true);
    assert.equal(await verifySecret('three', hashes[3] as string), false);
    assert.equal(await verifySecret('three', 'plain-text'), false);
  });

  it('checks a cheap test hash and a production one alike, each by its own parameters', async () => {
    const production = await hashSecret('secret');
    makeCheapHashesForTests();
    const cheap = await hashSecret('secret');
    assert.match(cheap, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifySecret('secret', cheap), true);
    assert.equal(await verifySecret('secret', production), true);
    assert.equal(await verifySecret('other', cheap), false);
  });
});

describe('client secret digests', () => {
  it('stores a client secret as sha256$ and its hex digest, the same for the same secret', () => {
    const digest = digestClientSecret('a-client-secret');
    assert.match(digest, /^sha256\$[0-9a-f]{64}$/);
    assert.equal(digestClientSecret('a-client-secret'), digest);
  });

  it('matches the secret of a digest and nothing else, and never asks to replace a digest', async () => {
    const digest = digestClientSecret('a-client-secret');
    assert.deepEqual(await verifyClientSecret('a-client-secret', digest), { matches: true, outdated: false });
    assert.deepEqual(await verifyClientSecret('another-secret', digest), { matches: false, outdated: false });
    assert.deepEqual(await verifyClientSecret('a-client-secret', digest.slice(0, -2)), { matches: false, outdated: false });
  });

  it('checks a client secret stored under scrypt by earlier versions, and asks to replace its hash', async () => {
    const scrypt = await hashSecret('a-client-secret');
    assert.deepEqual(await verifyClientSecret('a-client-secret', scrypt), { matches: true, outdated: true });
    assert.equal((await verifyClientSecret('another-secret', scrypt)).matches, false);
  });

  it('never takes a digest for a password hash', async () => {
    assert.equal(await verifySecret('a-client-secret', digestClientSecret('a-client-secret')), false);
  });
});

describe('Slots (how many hashes run at once)', () => {
  it('runs at most its size at once, the rest in turn, and frees a slot on failure', async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const task = (fail: boolean) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (fail) throw new Error('refused');
      return 'done';
    };
    const outcomes = await Promise.allSettled([task(true), task(false), task(false), task(false), task(false)].map((t) => slots.run(t)));
    assert.equal(most, 2);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});
