import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FacetCache } from '../../src/search/facet-cache.ts';
import type { FacetCounts } from '../../src/search/repository.ts';

const counts = (n: number): FacetCounts => ({ countries: [{ id: 1, count: n }], categories: [], types: [], salaryBands: [] });

describe('FacetCache', () => {
  it('counts once per filter while fresh, and again once expired', async () => {
    const cache = new FacetCache(30);
    let scans = 0;
    const count = async () => counts(++scans);
    assert.equal((await cache.get('a', count)).countries[0]?.count, 1);
    assert.equal((await cache.get('a', count)).countries[0]?.count, 1);
    assert.equal((await cache.get('b', count)).countries[0]?.count, 2, 'another filter is counted apart');
    await sleep(40);
    assert.equal((await cache.get('a', count)).countries[0]?.count, 3);
  });

  it('forgets everything when a write clears it', async () => {
    const cache = new FacetCache();
    let scans = 0;
    const count = async () => counts(++scans);
    await cache.get('a', count);
    cache.clear();
    assert.equal((await cache.get('a', count)).countries[0]?.count, 2);
  });

  it('does not keep a failed count', async () => {
    const cache = new FacetCache();
    await assert.rejects(cache.get('a', async () => Promise.reject(new Error('store down'))));
    await sleep(0);
    assert.equal((await cache.get('a', async () => counts(7))).countries[0]?.count, 7);
  });

  it('stays within its size', async () => {
    const cache = new FacetCache(60_000, 2);
    let scans = 0;
    const count = async () => counts(++scans);
    await cache.get('a', count);
    await cache.get('b', count);
    await cache.get('c', count);
    assert.equal((await cache.get('a', count)).countries[0]?.count, 4, 'the oldest entry made room');
  });
});
