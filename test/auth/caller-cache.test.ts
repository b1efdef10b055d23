import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallerCache } from '../../src/auth/caller-cache.ts';
import type { Caller } from '../../src/auth/caller.ts';

const vendor = (): Caller => ({
  kind: 'vendor',
  userId: 1,
  apiClientId: 2,
  timezone: 'UTC',
  organisations: [{ id: 3, handle: 'JDT', name: 'Demo' }],
  siteIds: [1, 2],
});
const NOW = Date.parse('2026-01-01T00:00:00Z');
const IN_A_DAY = NOW + 86_400_000;

describe('CallerCache', () => {
  it('serves a caller only at the generation it was resolved at', () => {
    const cache = new CallerCache();
    cache.remember('hash', vendor(), 7, IN_A_DAY, NOW);
    assert.deepEqual(cache.find('hash', 7, NOW), vendor());
    assert.equal(cache.find('other', 7, NOW), undefined);
    assert.equal(cache.find('hash', 8, NOW), undefined);
    assert.equal(cache.find('hash', 7, NOW), undefined, 'a stale entry is dropped, not kept for an older generation');
  });

  it('serves a caller no longer than its time to live, nor past its token’s expiry', () => {
    const cache = new CallerCache(10, 60_000);
    cache.remember('long', vendor(), 1, IN_A_DAY, NOW);
    cache.remember('short', vendor(), 1, NOW + 5_000, NOW);
    assert.ok(cache.find('long', 1, NOW + 59_999));
    assert.equal(cache.find('long', 1, NOW + 60_000), undefined);
    assert.ok(cache.find('short', 1, NOW + 4_999));
    assert.equal(cache.find('short', 1, NOW + 5_000), undefined);
  });

  it('recalls a caller with the generation it was resolved at, for the request to check, until it or its token expires', () => {
    const cache = new CallerCache(10, 60_000);
    cache.remember('hash', vendor(), 7, NOW + 5_000, NOW);
    assert.equal(cache.recall('hash', NOW + 4_999)?.generation, 7);
    assert.deepEqual(cache.recall('hash', NOW + 4_999)?.caller, vendor());
    assert.equal(cache.recall('hash', NOW + 5_000), undefined);
    assert.equal(cache.find('hash', 7, NOW), undefined, 'an expired entry is dropped');
  });

  it('holds at most its bound, dropping the oldest', () => {
    const cache = new CallerCache(2);
    for (const hash of ['a', 'b', 'c']) cache.remember(hash, vendor(), 1, IN_A_DAY, NOW);
    assert.equal(cache.find('a', 1, NOW), undefined);
    assert.ok(cache.find('b', 1, NOW));
    assert.ok(cache.find('c', 1, NOW));
  });

  it('hands out a caller no request can change', () => {
    const cache = new CallerCache();
    cache.remember('hash', vendor(), 1, IN_A_DAY, NOW);
    const caller = cache.find('hash', 1, NOW) as Caller & { kind: 'vendor' };
    assert.throws(() => (caller.siteIds as number[]).push(3), TypeError);
    assert.throws(() => ((caller.organisations[0] as { handle: string }).handle = 'X'), TypeError);
    assert.throws(() => ((caller as { timezone: string }).timezone = 'X'), TypeError);
  });
});
