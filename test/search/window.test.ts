import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { searchNewestMatches, type SearchCriteria } from '../../src/search/repository.ts';
import { parseTextQuery, type TextQuery } from '../../src/search/text-query.ts';
import { JobFacts } from '../../src/search/facts.ts';
import { TextHitsCache } from '../../src/search/text-hits.ts';

/*
 * A keyword search reads its newest matches from the full-text index and
 * filters, counts and pages them in memory, over a window of at most so many.
 */

/** The facts of every job in the store, loaded now. */
async function loadedFacts(store: Store): Promise<JobFacts> {
  const facts = new JobFacts(store.db);
  await facts.current();
  return facts;
}

const ALL = { limit: 25, offset: 0 };

for (const store of stores) describe(`a keyword search's window [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  let token: string;
  const created: number[] = [];
  const criteria = (q: string, sort: SearchCriteria['sort'] = 'newest'): SearchCriteria & { text: TextQuery } => ({
    visibleTo: { organisationIds: [1] }, text: parseTextQuery(q) as TextQuery, near: null, status: 'any', sort, today: '2026-11-28',
  });
  const search = async (q: string, window: number, sort: SearchCriteria['sort'] = 'newest') =>
    searchNewestMatches(direct.db, direct.dialect.fullText, await loadedFacts(direct), criteria(q, sort), ALL, window);

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    token = await issueToken(test.app);
    for (const name of ['Payroll Manager', 'Site Manager', 'Cleaner', 'Store Manager', 'Bar Manager']) {
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ name }) });
      assert.equal(response.statusCode, 201, response.body);
      created.push(response.json().data.id);
    }
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  it('reads the newest matches first and says when there were more', async () => {
    const managers = created.filter((_, i) => i !== 2).reverse();
    const all = await search('manager', 10);
    assert.deepEqual(all.page.map((hit) => hit.id), managers, 'each job once, though found stemmed and by prefix');
    assert.equal(all.total, 4);
    assert.equal(all.complete, true);
    const first = await search('manager', 2);
    assert.deepEqual(first.page.map((hit) => hit.id), managers.slice(0, 2), 'the window holds the newest');
    assert.equal(first.total, 2);
    assert.equal(first.complete, false);
  });

  it('finds by the unstemmed prefix what the stem misses', async () => {
    const found = await search('payroll manag', 10);
    assert.deepEqual(found.page.map((hit) => hit.id), [created[0]]);
  });

  it('ranks the stemmed matches above those found by prefix only', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ name: 'Managerial Assistant' }) });
    assert.equal(response.statusCode, 201, response.body);
    const found = await search('manag', 10, 'relevance');
    assert.equal(found.page.at(-1)?.id, response.json().data.id, 'a prefix match only, though the newest');
  });

  it('keeps the matches of a query until the jobs change, and no longer', async () => {
    const facts = await loadedFacts(direct);
    const cache = new TextHitsCache();
    const once = () => searchNewestMatches(direct.db, direct.dialect.fullText, facts, criteria('cleaner'), ALL, 10, cache);
    assert.equal((await once()).total, 1);
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ name: 'Window Cleaner' }) });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal((await once()).total, 1, 'kept: the facts have not read the write');
    facts.noteWrite();
    await facts.current();
    assert.equal((await once()).total, 2, 'read again once they have');
  });
});

for (const store of stores) describe(`a keyword search near a point [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  const ids: Record<string, number> = {};
  const SHEFFIELD = { lat: 53.383, lon: -1.4659 };

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    const token = await issueToken(test.app);
    for (const town of ['Sheffield', 'Rotherham', 'Leeds', 'London']) {
      const payload = jobJson({ name: 'Warehouse Supervisor', main_area: town, sub_area: null });
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload });
      assert.equal(response.statusCode, 201, response.body);
      ids[town] = response.json().data.id;
    }
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  it('keeps only the matches within the radius, nearest distances included', async () => {
    for (const q of ['supervisor', 'warehouse superv']) {
      const found = await searchNewestMatches(direct.db, direct.dialect.fullText, await loadedFacts(direct), {
        visibleTo: { organisationIds: [1] }, text: parseTextQuery(q) as TextQuery, near: { ...SHEFFIELD, radiusKm: 16 },
        status: 'any', sort: 'distance', today: '2026-11-28',
      }, ALL);
      assert.deepEqual(found.page.map((hit) => hit.id), [ids.Sheffield, ids.Rotherham], q);
      assert.ok(found.page.every((hit) => hit.distanceKm !== null && hit.distanceKm <= 16));
    }
  });
});
