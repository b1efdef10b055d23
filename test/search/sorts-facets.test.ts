import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { findNewestMatches, type FacetCounts, type SearchCriteria } from '../../src/search/repository.ts';
import { scanList } from '../../src/search/fact-scan.ts';
import { JobFacts } from '../../src/search/facts.ts';
import { SORTS } from '../../src/search/sorts.ts';
import { facetsOfWindow, pageOfWindow } from '../../src/search/window.ts';
import { parseTextQuery, type TextQuery } from '../../src/search/text-query.ts';

/*
 * A sort or facet is defined once (sorts.ts, facets.ts) and applied twice:
 * by the scan of every listed job to a search without keywords (a heap of
 * the first jobs in order, counters indexed by id), and to a keyword
 * search's window (a sort, counts by key). Over the same jobs, the two must
 * agree.
 */
const JOBS = [
  { main_area: 'Sheffield', close_date: '2027-03-01', salary_from: 30000, salary_to: 40000 },
  { main_area: 'Leeds', close_date: '2027-02-01', salary_from: 250000, salary_to: null, job_type: 'perm_parttime' },
  { main_area: 'Rotherham', close_date: '2027-02-01', salary_from: null, salary_to: null, country: 'GB' },
  { main_area: 'London', close_date: '2027-04-01', salary_from: 30000, salary_to: 40000, salary_currency: 'EUR' },
  { main_area: 'Sheffield', close_date: '2027-03-01', salary_from: 52000, salary_to: null, job_category: 'INTERNAL_COMMUNICATIONS' },
];

const byKey = <T>(items: readonly T[]) => [...items].map((item) => JSON.stringify(item)).sort();
const sortedFacets = (facets: FacetCounts) => Object.fromEntries(Object.entries(facets).map(([name, counts]) => [name, byKey(counts)]));

for (const store of stores) describe(`sorts and facets of a list and of a window [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  const near = { lat: 53.383, lon: -1.4659, radiusKm: 400 };
  const criteria = (sort: SearchCriteria['sort'], withNear: boolean): SearchCriteria => ({
    visibleTo: { organisationIds: [1] }, text: null, near: withNear ? near : null, status: 'any', sort, today: '2026-11-28',
  });
  const window = (base: SearchCriteria) =>
    findNewestMatches(direct.db, direct.dialect.fullText, loaded, { ...base, text: parseTextQuery('lighthouse') as TextQuery });
  let loaded: JobFacts;

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    const token = await issueToken(test.app);
    for (const fields of JOBS) {
      const payload = jobJson({ name: 'Lighthouse Keeper', sub_area: null, ...fields });
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload });
      assert.equal(response.statusCode, 201, response.body);
    }
    loaded = new JobFacts(direct.db);
    await loaded.current();
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  for (const sort of Object.keys(SORTS) as SearchCriteria['sort'][]) {
    it(`orders by ${sort} alike, with and without a point`, async () => {
      for (const withNear of [false, true]) {
        const base = criteria(sort, withNear);
        const listed = scanList(loaded, base, 25, 0).page.map((hit) => hit.id);
        // Without keywords nothing is ranked: the window's ranks are levelled to compare relevance too.
        const matches = (await window(base)).jobs.map((job) => ({ ...job, rank: 0 }));
        assert.equal(matches.length, JOBS.length);
        assert.deepEqual(pageOfWindow(matches, sort, 25, 0).map((job) => job.id), listed, `near: ${withNear}`);
      }
    });
  }

  it('counts every facet alike', async () => {
    const base = criteria('newest', false);
    assert.deepEqual(sortedFacets(facetsOfWindow((await window(base)).jobs)), sortedFacets(scanList(loaded, base, 25, 0).facets));
  });
});
