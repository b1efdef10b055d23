import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, DEMO, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { stores } from '../support/stores.ts';
import { keptPageRenderer, type RenderInputs } from '../../src/jobs/list-pages.ts';
import type { PresentContext } from '../../src/jobs/presenter.ts';
import { loadCatalogue } from '../../src/lookups/catalogue.ts';
import { ListCaches, type RenderedPage } from '../../src/search/list-cache.ts';
import type { Listing } from '../../src/search/service.ts';
import { createUser } from '../../src/tenancy/service.ts';

/*
 * GET /api/job keeps rendered pages of lists without keywords. Two callers
 * may share a page only when every input of its rendering is the same.
 */
for (const store of stores) describe(`GET /api/job rendered pages kept between requests [${store}]`, () => {
  let test: TestApp;
  let base: RenderInputs;
  const listing: Listing = {
    criteria: { visibleTo: { siteIds: [1] }, text: null, near: null, status: 'live', sort: 'newest', today: '2026-12-01' },
    page: { number: 1, size: 25 },
    unit: 'mi',
  };

  before(async () => {
    test = await buildTestApp(store);
    const catalogue = await loadCatalogue(test.app.store.db);
    base = { scope: { siteIds: [1] }, context: { catalogue, zone: 'Europe/London', publicUrl: 'http://jobs.test', today: '2026-12-01' } };
  });
  after(() => test.close());

  /** How many times each of these inputs had the page rendered, asked in turn of one cache. */
  async function renderings(...callers: RenderInputs[]): Promise<number> {
    const { pages } = new ListCaches();
    let count = 0;
    const compute = async (): Promise<RenderedPage> => ({ data: Buffer.from(`rendering ${(count += 1)}`), count: 0 });
    for (const inputs of callers) await keptPageRenderer(pages, inputs, () => Buffer.alloc(0)).kept(listing, compute);
    return count;
  }
  const withContext = (fields: Partial<PresentContext> & Record<string, unknown>): RenderInputs =>
    ({ ...base, context: { ...base.context, ...fields } as PresentContext });

  it('shares a page between callers whose inputs are the same', async () => {
    const same = { scope: { siteIds: [1] }, context: { ...base.context } };
    assert.equal(await renderings(base, same, base), 1);
  });

  it('never shares a page between callers of different scopes', async () => {
    assert.equal(await renderings(base, { ...base, scope: { siteIds: [2] } }), 2);
    assert.equal(await renderings(base, { ...base, scope: { organisationIds: [1] } }), 2);
  });

  it('never shares a page between different time zones, public URLs or days', async () => {
    assert.equal(await renderings(base, withContext({ zone: 'America/New_York' })), 2);
    assert.equal(await renderings(base, withContext({ publicUrl: 'http://other.test' })), 2);
    assert.equal(await renderings(base, withContext({ today: '2026-12-02' })), 2);
  });

  it('keys a page by a field the presentation context gains, without naming it', async () => {
    assert.equal(await renderings(withContext({ locale: 'en-GB' }), withContext({ locale: 'fr-FR' })), 2);
  });
});

for (const store of stores) describe(`GET /api/job to callers of one scope in different time zones [${store}]`, () => {
  let test: TestApp;
  const tokens: Record<string, string> = {};

  before(async () => {
    test = await buildTestApp(store);
    tokens.london = await issueToken(test.app);
    const tokyo = { ...DEMO, username: 'tokyo@example.com', password: 'a-long-password' };
    await createUser(test.app.store.db, { ...tokyo, name: 'Tokyo User', organisation: 'JDT', timezone: 'Asia/Tokyo' });
    tokens.tokyo = await issueToken(test.app, tokyo);
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(tokens.london), payload: jobJson() });
    assert.equal(response.statusCode, 201, response.body);
  });
  after(() => test.close());

  const createdAt = async (who: string) => {
    const response = await test.app.inject({ url: '/api/job', headers: auth(tokens[who] as string) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data.map((job: { created_at: unknown }) => job.created_at);
  };

  it('renders each caller\'s page in their own zone, though the list is the same', async () => {
    const london = await createdAt('london');
    const tokyo = await createdAt('tokyo');
    assert.equal(london.length, 1);
    assert.notDeepEqual(tokyo, london);
    assert.deepEqual(await createdAt('london'), london);
  });
});
