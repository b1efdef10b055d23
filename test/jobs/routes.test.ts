import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, createTenant, DEMO, issueToken, type TestApp } from '../support/app.ts';
import { addUserToOrganisation, createOrganisation, createSite } from '../../src/tenancy/service.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { describeSecurityMatrix } from '../support/security-matrix.ts';

for (const store of stores) describe(`jobs [${store}]`, () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const post = (url: string, payload: unknown, bearer = token) =>
    test.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: auth(bearer) });
  const get = (url: string, bearer = token) => test.app.inject({ url, headers: auth(bearer) });
  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await post('/api/job', jobJson(overrides));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data;
  };

  describe('POST /api/job', () => {
    it('creates a job and answers 201 with the resource in the contract shape', async () => {
      const job = await create({ reference: 'SHAPE-1', name: 'Senior Accountant (Node.js)' });
      assert.deepEqual(Object.keys(job), [
        'id', 'reference', 'number_applied', 'job_title', 'job_title_suggest', 'slug', 'summary', 'description',
        'benefits', 'skills', 'salary', 'location', 'language', 'open_date', 'close_date', 'created_at', 'updated_at',
        'deleted_at', 'category', 'type', 'media', 'address', 'links', 'organisation', 'sites', 'apply', 'show_map', 'status', 'stats',
      ]);
      assert.equal(typeof job.id, 'number');
      assert.equal(job.reference, 'SHAPE-1');
      assert.equal(job.number_applied, 0);
      assert.deepEqual(job.stats, { views: 0, apply_clicks: 0, applications: 0 });
      assert.equal(job.slug, `jdt/${job.id}/senior-accountant-node-js`);
      assert.equal(job.summary, 'Keep the books of a growing firm.');
      assert.equal(job.benefits, null);
      assert.deepEqual(job.salary, {
        from: '30000.00', to: '40000.00', text: '£30k to £40k', frequency: 'ANNUALLY',
        currency: { iso_code: 'GBP', symbol: '£', unicode: '&#163;' },
      });
      assert.equal(job.location.display, 'Sheffield, South Yorkshire');
      assert.equal(job.location.country.iso, 'GB');
      assert.equal(job.location.country.id, 229);
      assert.equal(typeof job.location.geo.lat, 'string');
      assert.ok(Math.abs(Number(job.location.geo.lat) - 53.38) < 0.1, 'geocoded to Sheffield');
      assert.deepEqual(job.job_title_suggest.context.location, {
        lat: Number(job.location.geo.lat), lon: Number(job.location.geo.lon),
      });
      assert.deepEqual(job.category.data.parent, { id: 2, handle: 'ACCOUNTANCY' });
      assert.equal(job.type.data.handle, 'perm_fulltime');
      assert.deepEqual(job.media, { data: [] });
      assert.equal(job.links.self, `http://jobs.test/api/job/${job.id}`);
      assert.equal(job.links.apply, `http://jobs.test/api/job/${job.id}/apply`);
      assert.deepEqual(job.organisation.data.handle, 'JDT');
      assert.deepEqual(job.sites.data.map((s: { id: number }) => s.id), [1]);
      assert.equal(job.show_map, true);
    });

    it('renders dates in the user time zone and defaults close_date to open_date + 28 days', async () => {
      const job = await create({ open_date: '2017-04-27' });
      assert.deepEqual(job.open_date, {
        utc: '2017-04-27T00:00:00+00:00',
        converted: '2017-04-26T20:00:00-04:00',
        formatted: '26 Apr 2017 20:00:00',
      });
      assert.equal(job.close_date.utc, '2017-05-25T00:00:00+00:00');
      assert.equal(job.deleted_at, null);
    });

    it('stores the postcode normalised and keeps vendor coordinates', async () => {
      const job = await create({ postcode: 's1 4by', location_geo_lat: 51.5, location_geo_lon: -0.12 });
      assert.equal(job.location.postcode.postcode, 'S14BY');
      assert.equal(typeof job.location.postcode.id, 'number');
      assert.deepEqual(job.location.geo, { lon: '-0.12', lat: '51.5' });
    });

    it('answers with the resource exactly as a later read shows it', async () => {
      const job = await create({ postal_code: 'S1 2HE', sites: [2, 1], benefits: 'A pension', skills: 'Excel' });
      const read = await get(`/api/job/${job.id}`);
      assert.deepEqual(job, read.json().data);
      const sharing = await create({ postal_code: 's12he' });
      assert.deepEqual(sharing.location.postcode, job.location.postcode, 'a known postcode is found, not added again');
      assert.deepEqual(job.sites.data.map((site: { id: number }) => site.id), [1, 2]);
    });

    it('falls back to the country centroid for an unknown town, never refusing the job', async () => {
      const job = await create({ main_area: 'Nowhereville Upon Nothing', sub_area: null });
      const country = job.location.country.geo;
      assert.equal(Number(job.location.geo.lat), country.lat);
      assert.equal(Number(job.location.geo.lon), country.lon);
    });

    it('answers 422 naming every missing field', async () => {
      const response = await post('/api/job', {});
      assert.equal(response.statusCode, 422);
      const body = response.json();
      assert.equal(body.data.message, '422 Unprocessable Entity');
      assert.equal(body.data.status_code, 422);
      for (const field of ['organisation', 'job_category_id', 'job_type_id', 'reference', 'name', 'description',
        'open_date', 'country_id', 'premise', 'main_area', 'salary_frequency', 'salary_currency', 'salary_text',
        'apply_type', 'sites']) {
        assert.ok(body.data.errors[field], `${field} is reported`);
      }
      assert.deepEqual(body.data.errors.open_date, ['The open date field is required.']);
      assert.equal(body.data.errors.benefits, undefined);
    });

    it('answers 422 with the contract messages for bad values', async () => {
      const response = await post('/api/job', jobJson({
        name: 'x'.repeat(256),
        job_category: undefined,
        job_category_id: 999999,
        open_date: '2017/12/01',
        apply_type: 'REDIRECT',
        salary_from: -1,
      }));
      assert.equal(response.statusCode, 422);
      const { errors } = response.json().data;
      assert.deepEqual(errors.name, ['The name may not be greater than 255 characters.']);
      assert.deepEqual(errors.job_category_id, ['The selected job category id is invalid.']);
      assert.deepEqual(errors.open_date, ['The open date does not match the format Y-m-d.']);
      assert.deepEqual(errors.apply_url, ['The apply url field is required when apply type is REDIRECT.']);
      assert.deepEqual(errors.salary_from, ['The salary from must be at least 0.']);
    });

    it('checks close_date against open_date and salary_to against salary_from', async () => {
      const response = await post('/api/job', jobJson({ open_date: '2018-02-01', close_date: '2018-01-01', salary_from: 10, salary_to: 5 }));
      const { errors } = response.json().data;
      assert.deepEqual(errors.close_date, ['The close date must be a date after or equal to open date.']);
      assert.deepEqual(errors.salary_to, ['The salary to must be greater than or equal to salary from.']);
    });

    it('checks the apply url by apply type', async () => {
      const badUrl = await post('/api/job', jobJson({ apply_type: 'REDIRECT', apply_data: 'javascript:alert(1)' }));
      assert.deepEqual(badUrl.json().data.errors.apply_data, ['The apply data format is invalid.']);
      const badEmail = await post('/api/job', jobJson({ apply_type: 'EMAIL', apply_url: 'not-an-address' }));
      assert.deepEqual(badEmail.json().data.errors.apply_url, ['The apply url must be a valid email address.']);
      const good = await create({ apply_type: 'REDIRECT', apply_data: 'https://ats.example/apply/1' });
      assert.deepEqual(good.apply, { type: 'REDIRECT', url: 'https://ats.example/apply/1' });
    });

    it('keeps the reference unique within the organisation among jobs not deleted', async () => {
      const first = await create({ reference: 'UNIQUE-1' });
      const again = await post('/api/job', jobJson({ reference: 'UNIQUE-1' }));
      assert.equal(again.statusCode, 422);
      assert.deepEqual(again.json().data.errors.reference, ['The reference has already been taken.']);
      await post(`/api/job/${first.id}/delete`, {});
      await create({ reference: 'UNIQUE-1' });
    });

    it('answers 403 for an organisation the user is not in and for a site not granted', async () => {
      const other = await createTenant(test.app);
      const forOther = await post('/api/job', jobJson({ organisation: other.organisation }));
      assert.equal(forOther.statusCode, 403);
      assert.equal(forOther.json().data.status_code, 403);
      const otherToken = await issueToken(test.app, other);
      const toSiteTwo = await post('/api/job', jobJson({ organisation: other.organisation, sites: [1, 2] }), otherToken);
      assert.equal(toSiteTwo.statusCode, 403);
    });

    it('takes none of the fields the server owns from a body: id, organisation id, status, dates, counts, deletion', async () => {
      const other = await createTenant(test.app);
      const theirs = await post('/api/job', jobJson({ organisation: other.organisation }), await issueToken(test.app, other));
      assert.equal(theirs.statusCode, 201, theirs.body);
      const theirId = theirs.json().data.id;
      const owned = {
        id: theirId, job_id: theirId, organisation_id: 999, organisation_handle: other.organisation, status: 'live', created_at: '2001-01-01', updated_at: '2001-01-01',
        deleted_at: '2001-01-01', number_applied: 99, stats: { views: 1000, applications: 7 }, slug: 'hijacked', credits: 1000,
      };
      const response = await post('/api/job', jobJson({ ...owned, reference: 'OWNED-1' }));
      assert.equal(response.statusCode, 201, response.body);
      const job = response.json().data;
      assert.notEqual(job.id, theirId);
      assert.equal(job.organisation.data.handle, 'JDT');
      assert.equal(job.deleted_at, null);
      assert.equal(job.number_applied, 0);
      assert.deepEqual(job.stats, { views: 0, apply_clicks: 0, applications: 0 });
      assert.notEqual(job.slug, 'hijacked');
      assert.notEqual(job.created_at.utc.slice(0, 4), '2001');
      const updated = await post(`/api/job/${job.id}/update`, owned);
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().data.id, job.id);
      assert.equal(updated.json().data.organisation.data.handle, 'JDT');
      assert.equal(updated.json().data.deleted_at, null);
      assert.equal((await get(`/api/job/${job.id}`)).statusCode, 200);
      assert.equal((await get(`/api/job/${theirId}`, await issueToken(test.app, other))).json().data.reference, theirs.json().data.reference);
    });

    it('spends one credit per job and answers 402 at zero', async () => {
      const other = await createTenant(test.app, { credits: 1 });
      const otherToken = await issueToken(test.app, other);
      const first = await post('/api/job', jobJson({ organisation: other.organisation }), otherToken);
      assert.equal(first.statusCode, 201);
      const second = await post('/api/job', jobJson({ organisation: other.organisation }), otherToken);
      assert.equal(second.statusCode, 402);
      assert.deepEqual(second.json(), { data: { message: 'Insufficient Credits', status_code: 402 } });
      const organisation = await test.app.store.db.selectFrom('organisations').select('credits')
        .where('handle', '=', other.organisation).executeTakeFirstOrThrow();
      assert.equal(organisation.credits, 0);
    });

    it('answers 422 for a taken reference before 402 for an empty balance', async () => {
      const other = await createTenant(test.app, { credits: 1 });
      const otherToken = await issueToken(test.app, other);
      const first = await post('/api/job', jobJson({ organisation: other.organisation, reference: 'LAST-CREDIT' }), otherToken);
      assert.equal(first.statusCode, 201);
      const again = await post('/api/job', jobJson({ organisation: other.organisation, reference: 'LAST-CREDIT' }), otherToken);
      assert.equal(again.statusCode, 422);
      assert.deepEqual(again.json().data.errors, { reference: ['The reference has already been taken.'] });
    });
  });

  describe('GET /api/job/{id}', () => {
    it('reads a job, 404 for an unknown id, 410 once deleted', async () => {
      const job = await create();
      const read = await get(`/api/job/${job.id}`);
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json().data, { ...job });
      assert.equal((await get('/api/job/987654')).statusCode, 404);
      await post(`/api/job/${job.id}/delete`, {});
      const gone = await get(`/api/job/${job.id}`);
      assert.equal(gone.statusCode, 410);
      assert.equal(gone.json().data.status_code, 410);
    });

    it('shows its sites in id order, with names holding any character', async () => {
      const siteId = await createSite(test.app.store.db, { handle: 'bars-and-slashes', name: 'A | B \\ C \\| D', url: 'https://example.com' });
      const client = await test.app.store.db.selectFrom('api_clients').select('id').where('client_id', '=', DEMO.clientId).executeTakeFirstOrThrow();
      await test.app.store.db.insertInto('api_client_sites').values({ api_client_id: client.id, site_id: siteId }).execute();
      const job = await create({ sites: [siteId, 1] });
      const read = (await get(`/api/job/${job.id}`)).json().data;
      assert.deepEqual(read.sites.data.map((shown: { id: number }) => shown.id), [1, siteId]);
      assert.deepEqual(read.sites.data[1], { id: siteId, handle: 'bars-and-slashes', name: 'A | B \\ C \\| D' });
      assert.deepEqual(read, job);
    });

    it("reports another organisation's job as 404", async () => {
      const job = await create();
      const other = await createTenant(test.app);
      const otherToken = await issueToken(test.app, other);
      const response = await get(`/api/job/${job.id}`, otherToken);
      assert.equal(response.statusCode, 404);
      const update = await post(`/api/job/${job.id}/update`, { name: 'Hijacked' }, otherToken);
      assert.equal(update.statusCode, 404);
      const remove = await post(`/api/job/${job.id}/delete`, {}, otherToken);
      assert.equal(remove.statusCode, 422);
      assert.equal((await get(`/api/job/${job.id}`)).json().data.job_title, job.job_title);
    });
  });

  describe('GET /api/job', () => {
    it('lists newest first with pagination, only the caller organisations', async () => {
      const other = await createTenant(test.app);
      const otherToken = await issueToken(test.app, other);
      const created = [];
      for (let i = 0; i < 3; i += 1) {
        created.push((await post('/api/job', jobJson({ organisation: other.organisation }), otherToken)).json().data);
      }
      const page = await get('/api/job?page[size]=2', otherToken);
      assert.equal(page.statusCode, 200);
      const body = page.json();
      assert.deepEqual(body.data.map((j: { id: number }) => j.id), [created[2].id, created[1].id]);
      assert.equal(typeof body.meta.took, 'number');
      const { links, ...pagination } = body.meta.pagination;
      assert.deepEqual(pagination, { total: 3, count: 2, per_page: 2, current_page: 1, total_pages: 2 });
      assert.equal(links.previous, undefined);
      const next = new URL(links.next);
      assert.equal(next.searchParams.get('page[number]'), '2');
      const second = (await get('/api/job?page[number]=2&page[size]=2', otherToken)).json();
      assert.deepEqual(second.data.map((j: { id: number }) => j.id), [created[0].id]);
      assert.ok(second.meta.pagination.links.previous);
    });

    for (const query of ['page[size]=0', 'page[size]=101', 'page[number]=0', 'page[number]=abc']) {
      it(`answers 400 for ${query}`, async () => {
        const response = await get(`/api/job?${query}`);
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().data.status_code, 400);
      });
    }
  });

  describe('POST /api/job/{id}/update', () => {
    it('applies the fields sent and keeps the rest', async () => {
      const job = await create({ reference: 'UPD-1', benefits: 'Pension' });
      const response = await post(`/api/job/${job.id}/update`, { name: 'Finance Manager', close_date: '01-02-2027' });
      assert.equal(response.statusCode, 200, response.body);
      const updated = response.json().data;
      assert.equal(updated.job_title, 'Finance Manager');
      assert.equal(updated.close_date.utc, '2027-02-01T00:00:00+00:00');
      assert.equal(updated.benefits, 'Pension');
      assert.equal(updated.reference, 'UPD-1');
      assert.equal(updated.slug, `jdt/${job.id}/finance-manager`);
    });

    it('answers with the resource exactly as a later read shows it, moved to another organisation, sites and postcode', async () => {
      const db = test.app.store.db;
      await createOrganisation(db, { handle: 'MOVED', name: 'Moved Ltd' });
      await addUserToOrganisation(db, DEMO.username, 'MOVED');
      const job = await create({ sites: [1] });
      const response = await post(`/api/job/${job.id}/update`, { organisation: 'MOVED', sites: [2, 1], postcode: 'ls1 4ap' });
      assert.equal(response.statusCode, 200, response.body);
      const updated = response.json().data;
      assert.deepEqual(updated, (await get(`/api/job/${job.id}`)).json().data);
      assert.equal(updated.organisation.data.handle, 'MOVED');
      assert.equal(updated.organisation.data.name, 'Moved Ltd');
      assert.deepEqual(updated.sites.data.map((site: { id: number }) => site.id), [1, 2]);
      assert.equal(updated.location.postcode.postcode, 'LS14AP');
    });

    it('re-derives what was derived when its source changes, keeps what the vendor chose', async () => {
      const job = await create({ summary: 'A chosen summary' });
      const updated = (await post(`/api/job/${job.id}/update`, { description: 'New words', main_area: 'Leeds', sub_area: 'West Yorkshire' })).json().data;
      assert.equal(updated.summary, 'A chosen summary');
      assert.equal(updated.location.display, 'Leeds, West Yorkshire');
      assert.ok(Math.abs(Number(updated.location.geo.lat) - 53.8) < 0.1, 'moved to Leeds');
    });

    it('bounds a derived display by its field: two 255-character areas make a display of 255 that reads back and updates', async () => {
      const job = await create({ main_area: 'M'.repeat(255), sub_area: 'S'.repeat(255) });
      assert.equal(job.location.display, 'M'.repeat(255));
      assert.deepEqual((await get(`/api/job/${job.id}`)).json().data, job);
      const renamed = await post(`/api/job/${job.id}/update`, { name: 'Renamed' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(renamed.json().data.location.display, 'M'.repeat(255));
    });

    it('still re-derives a display cut to its limit when an area changes, counting characters as code points', async () => {
      const city = '🏙'.repeat(200);
      const job = await create({ main_area: city, sub_area: 'S'.repeat(255) });
      assert.equal(job.location.display, `${city}, ${'S'.repeat(53)}`);
      const moved = (await post(`/api/job/${job.id}/update`, { sub_area: 'Tyne and Wear' })).json().data;
      assert.equal(moved.location.display, `${city}, Tyne and Wear`);
    });

    it('re-derives a display stored over its limit before derived values were bounded', async () => {
      const job = await create({ main_area: 'M'.repeat(255), sub_area: 'S'.repeat(255) });
      await test.app.store.db.updateTable('jobs').set({ location_display: `${'M'.repeat(255)}, ${'S'.repeat(255)}` })
        .where('id', '=', job.id).execute();
      const moved = (await post(`/api/job/${job.id}/update`, { main_area: 'Leeds' })).json().data;
      assert.equal(moved.location.display, `Leeds, ${'S'.repeat(248)}`);
    });

    it('validates what is sent: 422 for a bad value, an empty required field, or a taken reference', async () => {
      await create({ reference: 'TAKEN' });
      const job = await create();
      const response = await post(`/api/job/${job.id}/update`, { reference: 'TAKEN', name: '', open_date: '31-02-2018' });
      assert.equal(response.statusCode, 422);
      const { errors } = response.json().data;
      assert.deepEqual(errors.name, ['The name field is required.']);
      assert.deepEqual(errors.open_date, ['The open date does not match the format Y-m-d.']);
      const taken = await post(`/api/job/${job.id}/update`, { reference: 'TAKEN' });
      assert.deepEqual(taken.json().data.errors.reference, ['The reference has already been taken.']);
      const own = await post(`/api/job/${job.id}/update`, { reference: job.reference });
      assert.equal(own.statusCode, 200);
    });

    it('answers 410 for a deleted job', async () => {
      const job = await create();
      await post(`/api/job/${job.id}/delete`, {});
      assert.equal((await post(`/api/job/${job.id}/update`, { name: 'Back' })).statusCode, 410);
    });
  });

  describe('POST /api/job/{id}/delete', () => {
    it('acknowledges, hides the job from the list, and refuses an unknown id with 422', async () => {
      const job = await create();
      const response = await post(`/api/job/${job.id}/delete`, {});
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { data: { acknowledged: true } });
      const list = (await get('/api/job?page[size]=100')).json();
      assert.ok(!list.data.some((j: { id: number }) => j.id === job.id));
      const unknown = await post('/api/job/99999/delete', {});
      assert.equal(unknown.statusCode, 422);
      assert.deepEqual(unknown.json().data.errors, { job_id: ['Invalid job id.'] });
      assert.equal((await post(`/api/job/${job.id}/delete`, {})).statusCode, 422);
    });
  });
});

describeSecurityMatrix([
  { method: 'GET', path: '/job', filters: true },
  { method: 'GET', path: '/job/{job}' },
  { method: 'POST', path: '/job', body: (target) => jobJson({ ...target }) },
  { method: 'POST', path: '/job/{job}/update', body: (target) => ({ ...target, name: 'Renamed' }) },
  { method: 'POST', path: '/job/{job}/delete' },
]);
