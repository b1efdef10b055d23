import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { searchNewestMatches, type FacetCounts, type SearchCriteria } from '../../src/search/repository.ts';
import { scan } from '../../src/search/fact-scan.ts';
import { JobFacts } from '../../src/search/facts.ts';
import { SORTS } from '../../src/search/sorts.ts';
import { parseTextQuery, type TextQuery } from '../../src/search/text-query.ts';

/*
 * A sort or facet is defined once (sorts.ts, facets.ts) and applied by one
 * scan (fact-scan.ts) to lists and keyword searches alike: newest first in
 * the scan's own order, any other order through a heap of the first jobs.
 * These pin each order over jobs whose order is known, for a list and for
 * a keyword search matching the same jobs, and their facets.
 */
const JOBS = [
  { main_area: 'Sheffield', close_date: '2027-03-01', salary_from: 30000, salary_to: 40000 },
  { main_area: 'Leeds', close_date: '2027-02-01', salary_from: 250000, salary_to: null, job_type: 'perm_parttime' },
  { main_area: 'Rotherham', close_date: '2027-02-01', salary_from: null, salary_to: null, country: 'GB' },
  { main_area: 'London', close_date: '2027-04-01', salary_from: 30000, salary_to: 40000, salary_currency: 'EUR' },
  { main_area: 'Sheffield', close_date: '2027-03-01', salary_from: 52000, salary_to: null, job_category: 'INTERNAL_COMMUNICATIONS' },
];

/** The order of JOBS (by index) each sort gives, from Sheffield where a sort measures distance. */
const EXPECTED: Record<SearchCriteria['sort'], readonly number[]> = {
  newest: [4, 3, 2, 1, 0],
  // Nothing is ranked without keywords, and every job matches the keyword equally well here.
  relevance: [4, 3, 2, 1, 0],
  // The same day: the lower id first.
  closing: [1, 2, 0, 4, 3],
  // No pay last; the same pay in two currencies: the newest first.
  salary: [1, 4, 3, 0, 2],
  distance: [4, 0, 2, 1, 3],
};

const byKey = <T>(items: readonly T[]) => [...items].map((item) => JSON.stringify(item)).sort();
const sortedFacets = (facets: FacetCounts) => Object.fromEntries(Object.entries(facets).map(([name, counts]) => [name, byKey(counts)]));

for (const store of stores) describe(`sorts and facets of a list and of a keyword search [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  let facts: JobFacts;
  const ids: number[] = [];
  const near = { lat: 53.383, lon: -1.4659, radiusKm: 400 };
  const criteria = (sort: SearchCriteria['sort'], withNear: boolean): SearchCriteria => ({
    visibleTo: { organisationIds: [1] }, text: null, near: withNear ? near : null, status: 'any', sort, today: '2026-11-28',
  });
  const keyword = (base: SearchCriteria, page = { limit: 25, offset: 0 }) =>
    searchNewestMatches(direct.db, direct.dialect.fullText, facts, { ...base, text: parseTextQuery('lighthouse') as TextQuery }, page);
  const positions = (page: readonly { id: number }[]) => page.map((hit) => ids.indexOf(hit.id));

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    const token = await issueToken(test.app);
    for (const fields of JOBS) {
      const payload = jobJson({ name: 'Lighthouse Keeper', sub_area: null, ...fields });
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload });
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json().data.id);
    }
    facts = new JobFacts(direct.db);
    await facts.current();
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  for (const sort of Object.keys(SORTS) as SearchCriteria['sort'][]) {
    it(`orders by ${sort}, a list and a keyword search alike`, async () => {
      const withNear = sort === 'distance';
      const base = criteria(sort, withNear);
      assert.deepEqual(positions(scan(facts, base, { limit: 25, offset: 0 }, null).page), EXPECTED[sort], 'list');
      if (sort !== 'relevance') assert.deepEqual(positions((await keyword(base)).page), EXPECTED[sort], 'keyword search');
    });

    it(`pages by ${sort} as the whole order would`, async () => {
      const base = criteria(sort, sort === 'distance');
      for (const offset of [0, 2, 4, 5]) {
        const page = { limit: 2, offset };
        assert.deepEqual(positions(scan(facts, base, page, null).page), EXPECTED[sort].slice(offset, offset + 2), `list from ${offset}`);
        if (sort !== 'relevance') {
          assert.deepEqual(positions((await keyword(base, page)).page), EXPECTED[sort].slice(offset, offset + 2), `keyword from ${offset}`);
        }
      }
    });
  }

  it('gives distances from the point, nearest first, within the radius only', async () => {
    const found = scan(facts, { ...criteria('distance', true), near: { ...near, radiusKm: 16 } }, { limit: 25, offset: 0 }, null);
    assert.deepEqual(positions(found.page), [4, 0, 2]);
    assert.ok(found.page.every((hit) => hit.distanceKm !== null && hit.distanceKm <= 16));
  });

  it('counts every facet alike, and pay bands capped at the top band', async () => {
    const base = criteria('newest', false);
    const listed = scan(facts, base, { limit: 25, offset: 0 }, null).facets;
    assert.deepEqual(sortedFacets((await keyword(base)).facets), sortedFacets(listed));
    const bands = listed.salaryBands.map(({ band, count }) => ({ band, count })).sort((a, b) => a.band - b.band || a.count - b.count);
    assert.deepEqual(bands, [{ band: 4, count: 1 }, { band: 4, count: 1 }, { band: 5, count: 1 }, { band: 20, count: 1 }]);
    assert.equal(listed.countries.reduce((sum, { count }) => sum + count, 0), JOBS.length);
  });
});
