import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListCache, ListCaches } from '../../src/search/list-cache.ts';

/** Something a list computes: a number, as the pages it keeps are counted. */
const counts = (n: number) => ({ total: n });
type FilterCounts = ReturnType<typeof counts>;

describe('ListCache (what lists compute, kept per key)', () => {
  it('counts once per filter while fresh, and again once expired', async () => {
    const cache = new ListCache<FilterCounts>({ ttlMs: 30 });
    let scans = 0;
    const count = async () => counts(++scans);
    assert.equal((await cache.get('a', count)).total, 1);
    assert.equal((await cache.get('a', count)).total, 1);
    assert.equal((await cache.get('b', count)).total, 2, 'another filter is counted apart');
    await sleep(40);
    assert.equal((await cache.get('a', count)).total, 3);
  });

  it('forgets everything when a write clears it', async () => {
    const cache = new ListCache<FilterCounts>();
    let scans = 0;
    const count = async () => counts(++scans);
    await cache.get('a', count);
    cache.clear();
    assert.equal((await cache.get('a', count)).total, 2);
  });

  it('does not keep a failed count', async () => {
    const cache = new ListCache<FilterCounts>();
    await assert.rejects(cache.get('a', async () => Promise.reject(new Error('store down'))));
    await sleep(0);
    assert.equal((await cache.get('a', async () => counts(7))).total, 7);
  });

  it('stays within its size', async () => {
    const cache = new ListCache<FilterCounts>({ ttlMs: 60_000, maxEntries: 2 });
    let scans = 0;
    const count = async () => counts(++scans);
    await cache.get('a', count);
    await cache.get('b', count);
    await cache.get('c', count);
    assert.equal((await cache.get('a', count)).total, 4, 'the oldest entry made room');
  });

  it('forgets everything when the store says another process wrote', async () => {
    let stamp = 1;
    const lists = new ListCaches(async () => stamp);
    let renders = 0;
    const render = async () => ({ data: Buffer.from('[]'), count: ++renders });
    await lists.current();
    await lists.pages.get('a', render);
    await lists.current();
    assert.equal((await lists.pages.get('a', render)).count, 1, 'same stamp: kept');
    stamp = 2;
    await lists.current();
    assert.equal((await lists.pages.get('a', render)).count, 2, 'new stamp: rendered again');
  });
});
