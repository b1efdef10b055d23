import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, DEMO, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { stores } from '../support/stores.ts';
import { keptJobRenderer, presentationKey, RenderedJobs } from '../../src/jobs/list-pages.ts';
import { presentJob, type JobResource, type PresentContext } from '../../src/jobs/presenter.ts';
import { findJobsByIds, type StoredJob } from '../../src/jobs/repository.ts';
import { loadCatalogue } from '../../src/lookups/catalogue.ts';
import type { PageHit } from '../../src/search/service.ts';
import { createUser } from '../../src/tenancy/service.ts';

/*
 * GET /api/job keeps the jobs of its pages rendered, per job and
 * presentation, until the job changes. Two callers share a rendering only
 * when every input of it is the same, and a page from kept renderings is
 * byte for byte the page rendered afresh.
 */
for (const store of stores) describe(`GET /api/job rendered jobs kept between requests [${store}]`, () => {
  let test: TestApp;
  let base: PresentContext;
  let jobs: readonly StoredJob[];
  const ids: number[] = [];

  before(async () => {
    test = await buildTestApp(store);
    const catalogue = await loadCatalogue(test.app.store.db);
    base = { catalogue, zone: 'Europe/London', publicUrl: 'http://jobs.test', today: '2026-12-01' };
    const token = await issueToken(test.app);
    for (const name of ['Night Porter', 'Day Porter']) {
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ name }) });
      assert.equal(response.statusCode, 201, response.body);
      ids.push(response.json().data.id);
    }
    jobs = await findJobsByIds(test.app.store.db, ids);
  });
  after(() => test.close());

  const serialize = (job: JobResource) => JSON.stringify(job);
  /** A renderer over `kept` that counts the jobs it had to read. */
  const counting = (kept: RenderedJobs, context: PresentContext) => {
    const read: number[] = [];
    const renderer = keptJobRenderer(kept, context, async (wanted) => {
      read.push(...wanted);
      return jobs.filter((stored) => wanted.includes(stored.job.id));
    }, serialize);
    return { renderer, read };
  };
  const hits = (distance: PageHit['distance'] = null): PageHit[] => ids.map((id) => ({ id, distance }));
  const withContext = (fields: Partial<PresentContext> & Record<string, unknown>) => ({ ...base, ...fields }) as PresentContext;

  it('renders a page as the jobs rendered afresh, with distances as the last property', async () => {
    const kept = new RenderedJobs();
    const distance = { value: 1.5, unit: 'mi' as const };
    const fresh = jobs.map((stored) => JSON.stringify({ ...presentJob(stored, base), distance })).join(',');
    for (let round = 0; round < 2; round += 1) {
      const page = await counting(kept, base).renderer.render(hits(distance));
      assert.equal(Buffer.concat(page.data).toString(), fresh, `round ${round}`);
      assert.equal(page.count, 2);
    }
  });

  it('reads a job once while it does not change, and again once it does', async () => {
    const kept = new RenderedJobs();
    assert.deepEqual(counting(kept, base).read, []);
    const first = counting(kept, base);
    await first.renderer.render(hits());
    const second = counting(kept, base);
    await second.renderer.render(hits());
    assert.deepEqual([first.read, second.read], [ids, []]);
    kept.changed([ids[0]!]);
    const third = counting(kept, base);
    await third.renderer.render(hits());
    assert.deepEqual(third.read, [ids[0]]);
  });

  it('keeps no rendering read before a change it may predate', async () => {
    const kept = new RenderedJobs();
    const since = kept.since();
    kept.changed([ids[0]!]);
    kept.put(ids[0]!, presentationKey(base), Buffer.from('{}'), since);
    assert.equal(kept.get(ids[0]!, presentationKey(base)), undefined);
  });

  it('never shares a rendering between different time zones, public URLs, days or fields the context gains', async () => {
    for (const other of [{ zone: 'America/New_York' }, { publicUrl: 'http://other.test' }, { today: '2026-12-02' }, { locale: 'en-GB' }]) {
      const kept = new RenderedJobs();
      await counting(kept, base).renderer.render(hits());
      const again = counting(kept, withContext(other));
      await again.renderer.render(hits());
      assert.deepEqual(again.read, ids, JSON.stringify(other));
    }
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
