import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HASH_COST, hashSecret, makeCheapHashesForTests, Slots, verifySecret } from '../../src/auth/secrets.ts';

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
