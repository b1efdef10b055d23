import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { findNewestMatches, type SearchCriteria, type WindowJob } from '../../src/search/repository.ts';
import { parseTextQuery, type TextQuery } from '../../src/search/text-query.ts';
import { facetsOfWindow, pageOfWindow } from '../../src/search/window.ts';
import { JobFacts } from '../../src/search/facts.ts';

/** The facts of every job in the store, loaded now. */
async function loadedFacts(store: Store): Promise<JobFacts> {
  const facts = new JobFacts(store.db);
  await facts.current();
  return facts;
}

const job = (id: number, fields: Partial<WindowJob> = {}): WindowJob => ({
  id, rank: 0, distanceKm: null, countryId: 1, categoryId: 1, typeId: 1, currencyId: 1, annualHigh: null, closeDate: '2026-12-01', ...fields,
});

describe('a keyword search window in memory', () => {
  const jobs = [
    job(5, { rank: 1, annualHigh: 30_000, closeDate: '2026-12-03', distanceKm: 9 }),
    job(4, { rank: 3, annualHigh: null, closeDate: '2026-12-01', distanceKm: 2 }),
    job(3, { rank: 3, annualHigh: 250_000, closeDate: '2026-12-02', distanceKm: 2, countryId: 2 }),
    job(2, { rank: 2, annualHigh: 30_000, closeDate: '2026-12-01', distanceKm: 5, currencyId: 2 }),
  ];
  const ids = (sort: SearchCriteria['sort'], limit = 10, offset = 0) => pageOfWindow(jobs, sort, limit, offset).map((j) => j.id);

  it('orders as the SQL of a search without keywords does, ties newest first', () => {
    assert.deepEqual(ids('relevance'), [4, 3, 2, 5]);
    assert.deepEqual(ids('newest'), [5, 4, 3, 2]);
    assert.deepEqual(ids('closing'), [2, 4, 3, 5], 'same day: lower id first, as SQL orders by close_date, id');
    assert.deepEqual(ids('distance'), [4, 3, 2, 5]);
    assert.deepEqual(ids('salary'), [3, 5, 2, 4], 'no pay last');
  });

  it('pages by offset and gives an empty page past the end', () => {
    assert.deepEqual(ids('newest', 2, 2), [3, 2]);
    assert.deepEqual(ids('newest', 2, 4), []);
  });

  it('counts facets and annual pay bands, capped at the top band', () => {
    const facets = facetsOfWindow(jobs);
    assert.deepEqual(facets.countries, [{ id: 1, count: 3 }, { id: 2, count: 1 }]);
    assert.deepEqual(facets.salaryBands, [
      { currencyId: 1, band: 3, count: 1 },
      { currencyId: 1, band: 20, count: 1 },
      { currencyId: 2, band: 3, count: 1 },
    ]);
  });
});

for (const store of stores) describe(`findNewestMatches [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  const created: number[] = [];
  const criteria = (text: TextQuery): SearchCriteria & { text: TextQuery } => ({
    visibleTo: { organisationIds: [1] }, text, near: null, status: 'any', sort: 'relevance', today: '2026-11-28',
  });
  const matches = async (q: string, size: number) =>
    findNewestMatches(direct.db, direct.dialect.fullText, await loadedFacts(direct), criteria(parseTextQuery(q) as TextQuery), size);

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    const token = await issueToken(test.app);
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
    const all = await matches('manager', 10);
    assert.deepEqual(all.jobs.map((j) => j.id), managers, 'each job once, though found stemmed and by prefix');
    assert.equal(all.complete, true);
    assert.ok(all.jobs.every((j) => j.rank > 0), 'ranked by the stemmed match');
    const first = await matches('manager', 2);
    assert.deepEqual(first.jobs.map((j) => j.id).slice(0, 1), managers.slice(0, 1));
    assert.equal(first.complete, false);
  });

  it('finds by the unstemmed prefix what the stem misses, ranked last', async () => {
    const found = await matches('payroll manag', 10);
    assert.deepEqual(found.jobs.map((j) => j.id), [created[0]]);
  });
});

for (const store of stores) describe(`findNewestMatches near a point [${store}]`, () => {
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
      const found = await findNewestMatches(direct.db, direct.dialect.fullText, await loadedFacts(direct), {
        visibleTo: { organisationIds: [1] }, text: parseTextQuery(q) as TextQuery, near: { ...SHEFFIELD, radiusKm: 16 },
        status: 'any', sort: 'distance', today: '2026-11-28',
      });
      assert.deepEqual(found.jobs.map((j) => j.id).sort(), [ids.Sheffield, ids.Rotherham].sort(), q);
      assert.ok(found.jobs.every((j) => j.distanceKm !== null && j.distanceKm <= 16));
    }
  });
});
