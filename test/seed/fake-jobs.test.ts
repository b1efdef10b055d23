import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { findPlace } from '../../src/geo/gazetteer.ts';
import { deriveSummary } from '../../src/jobs/derive.ts';
import { loadCatalogue } from '../../src/lookups/catalogue.ts';
import { titleKey } from '../../src/search/title-key.ts';
import { fakeJobDrafter } from '../../src/seed/drafts.ts';
import { seedFakeJobs, SeedError } from '../../src/seed/fake-jobs.ts';
import type { JobRow } from '../../src/jobs/repository.ts';

const JOBS = 500;
const SEED = 7;
const today = new Date().toISOString().slice(0, 10);

/** Pay as advertised: the plain role's range per frequency (seniority stays within it). */
const PAY_RANGES: Record<string, [number, number]> = { HOURLY: [10, 40], DAILY: [100, 600], ANNUALLY: [18_000, 120_000] };
/** Great Britain's extent, outlying islands included. */
const GB = { south: 49.8, north: 60.9, west: -8.7, east: 1.8 };

for (const store of stores) describe(`jobspace seed fake [${store}]`, () => {
  let test: TestApp;
  let token: string;
  let jobs: JobRow[];

  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
    await seedFakeJobs(test.app.store.db, test.app.store.dialect, { jobs: JOBS, seed: SEED });
    jobs = await test.app.store.db.selectFrom('jobs').selectAll().orderBy('id').execute();
  });
  after(() => test.close());

  it('inserts the number of jobs asked for, with unique references, into the first organisation', async () => {
    assert.equal(jobs.length, JOBS);
    assert.deepEqual(
      new Set(jobs.map((job) => job.reference)),
      new Set(Array.from({ length: JOBS }, (_, index) => `FAKE-${SEED}-${index + 1}`)),
    );
    const jdt = await test.app.store.db.selectFrom('organisations').select('id').where('handle', '=', 'JDT').executeTakeFirstOrThrow();
    assert.ok(jobs.every((job) => job.organisation_id === jdt.id));
  });

  it('posts every job to each site of the vendor client', async () => {
    const rows = await test.app.store.db.selectFrom('job_sites').select(['job_id', 'site_id']).execute();
    assert.equal(rows.length, JOBS * 2);
    assert.deepEqual([...new Set(rows.map((row) => row.site_id))].sort(), [1, 2]);
  });

  it('titles each job after a role of the taxonomy, sometimes with a seniority', async () => {
    const catalogue = await loadCatalogue(test.app.store.db);
    for (const job of jobs) {
      const role = catalogue.jobCategories.get(job.job_category_id);
      const sector = role?.parent_id == null ? undefined : catalogue.jobCategories.get(role.parent_id);
      assert.ok(role && sector && sector.parent_id !== null, `category ${job.job_category_id} is a role`);
      assert.match(job.title, new RegExp(`^((Senior|Junior|Lead|Trainee) )?${role.name.replace(/[&()]/g, '\\$&')}$`));
      assert.ok(catalogue.jobTypes.get(job.job_type_id));
    }
    assert.ok(jobs.some((job) => /^(Senior|Junior|Lead|Trainee) /.test(job.title)));
  });

  it('derives the stored values as the service does', () => {
    for (const job of jobs.slice(0, 50)) {
      assert.equal(job.title_key, titleKey(job.title));
      assert.equal(job.summary, deriveSummary(job.description));
      assert.equal(job.location_display, job.main_area);
    }
  });

  it('places jobs in real towns of their country, mostly in Great Britain', async () => {
    const catalogue = await loadCatalogue(test.app.store.db);
    for (const job of jobs) {
      const iso = catalogue.countries.get(job.country_id)?.iso as string;
      const place = findPlace(iso, job.main_area);
      assert.ok(place, `${job.main_area} is in the gazetteer`);
      assert.equal(place.countryIso, iso);
      assert.deepEqual([job.geo_lat, job.geo_lon, job.geo_precision], [place.lat, place.lon, 'place']);
      if (iso === 'GB') {
        assert.ok(job.geo_lat >= GB.south && job.geo_lat <= GB.north && job.geo_lon >= GB.west && job.geo_lon <= GB.east);
      }
    }
    const inGb = jobs.filter((job) => catalogue.countries.get(job.country_id)?.iso === 'GB').length;
    assert.ok(inGb > JOBS * 0.75 && inGb < JOBS * 0.95, `${inGb} of ${JOBS} in GB`);
  });

  it('pays by the hour, day or year within plausible ranges, or not at all', async () => {
    const catalogue = await loadCatalogue(test.app.store.db);
    const handles = new Set<string>();
    for (const job of jobs) {
      const frequency = catalogue.salaryFrequencies.get(job.salary_frequency_id);
      assert.ok(frequency);
      if (job.salary_from === null) {
        assert.equal(job.salary_to, null);
        assert.equal(job.annual_salary_from, null);
        continue;
      }
      handles.add(frequency.handle);
      const [min, max] = PAY_RANGES[frequency.handle] as [number, number];
      assert.ok(job.salary_from >= min && (job.salary_to as number) <= max, `${job.salary_from}-${job.salary_to} ${frequency.handle}`);
      assert.ok((job.salary_to as number) >= job.salary_from);
      assert.equal(job.annual_salary_from, job.salary_from * frequency.per_year);
    }
    assert.deepEqual([...handles].sort(), ['ANNUALLY', 'DAILY', 'HOURLY']);
    assert.ok(jobs.some((job) => job.salary_from === null));
  });

  it('spreads dates so that most have expired, a good share is live and a few are scheduled', () => {
    assert.ok(jobs.every((job) => job.close_date >= job.open_date));
    const live = jobs.filter((job) => job.open_date <= today && job.close_date >= today).length;
    const scheduled = jobs.filter((job) => job.open_date > today).length;
    const expired = jobs.filter((job) => job.close_date < today).length;
    assert.ok(live > JOBS * 0.15 && live < JOBS * 0.5, `${live} live`);
    assert.ok(scheduled > 0 && scheduled < JOBS * 0.15, `${scheduled} scheduled`);
    assert.ok(expired > live, `${expired} expired`);
  });

  it('makes the jobs findable through GET /api/job?q= and /api/job/suggest', async () => {
    const word = (jobs[0] as JobRow).title.split(' ').at(-1) as string;
    const found = await test.app.inject({ url: `/api/job?q=${encodeURIComponent(word)}&page[size]=100`, headers: auth(token) });
    assert.equal(found.statusCode, 200, found.body);
    const expected = jobs.filter((job) => job.title.split(' ').includes(word)).length;
    assert.ok(found.json().meta.pagination.total >= expected, `${found.json().meta.pagination.total} found for "${word}"`);
    assert.ok(found.json().data.some((job: { id: number }) => job.id === (jobs[0] as JobRow).id));

    const prefix = (jobs[0] as JobRow).title.slice(0, 3);
    const suggested = await test.app.inject({ url: `/api/job/suggest?q=${encodeURIComponent(prefix)}`, headers: auth(token) });
    assert.equal(suggested.statusCode, 200, suggested.body);
    const texts: string[] = suggested.json().data.map((suggestion: { text: string }) => suggestion.text);
    assert.ok(texts.length > 0 && texts.every((text) => titleKey(text).startsWith(titleKey(prefix))), texts.join(', '));
  });

  it('draws the same jobs from the same seed, and others from another', async () => {
    const db = test.app.store.db;
    const catalogue = await loadCatalogue(db);
    const target = { organisation: { id: 1, handle: 'JDT', name: 'JDT' }, userId: 1, apiClientId: 1, siteIds: [1] };
    const draw = (seed: number) => {
      const draft = fakeJobDrafter(catalogue, target, seed, today);
      return Array.from({ length: 20 }, (_, index) => draft(index + 1));
    };
    assert.deepEqual(draw(SEED), draw(SEED));
    assert.notDeepEqual(draw(SEED).map((job) => job.name), draw(SEED + 1).map((job) => job.name));
  });

  it('refuses a seed already used in the organisation, and an unknown organisation', async () => {
    const { db, dialect } = test.app.store;
    await assert.rejects(seedFakeJobs(db, dialect, { jobs: 1, seed: SEED }), SeedError);
    await assert.rejects(seedFakeJobs(db, dialect, { jobs: 1, organisation: 'NOPE' }), /organisation "NOPE" does not exist/);
  });
});
