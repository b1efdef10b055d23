import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, passwordGrantFor, type TestApp } from '../support/app.ts';
import { R1_CREATE_FIELDS, R1_UPDATE_FIELDS } from '../support/fixtures.ts';
import { clients, type ClientRequest } from './clients/index.ts';
import { stores } from '../support/stores.ts';

/*
 * R1's example requests, sent over real HTTP to a listening server with its
 * demo tenant, by several ordinary clients, exactly as printed.
 */
for (const store of stores) for (const client of clients) {
  describe(`Appendix A by ${client.name} [${store}]`, () => {
    let test: TestApp;
    let base: string;
    let headers: Record<string, string>;
    let jobId: number;

    before(async () => {
      test = await buildTestApp(store);
      base = await test.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => test.close());

    const send = (method: ClientRequest['method'], path: string, fields: [string, string][] | null = null) =>
      client.send({ method, url: `${base}${path}`, headers, fields });

    it('1. POST /oauth/token with the password grant', async () => {
      headers = { 'cache-control': 'no-cache' };
      const response = await send('POST', '/oauth/token', Object.entries(passwordGrantFor()));
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.token_type, 'Bearer');
      headers = { accept: 'application/vnd.jb.v1+json', authorization: `Bearer ${response.body.access_token}` };
    });

    it('2. GET /api/job', async () => {
      const response = await send('GET', '/api/job');
      assert.equal(response.status, 200);
      assert.ok(Array.isArray(response.body.data));
      assert.equal(response.body.meta.pagination.current_page, 1);
    });

    it('3. POST /api/job with the R1 fields', async () => {
      const response = await send('POST', '/api/job', R1_CREATE_FIELDS);
      assert.ok([200, 201].includes(response.status), JSON.stringify(response.body));
      const job = response.body.data;
      jobId = job.id;
      assert.equal(job.reference, 'JDT/1234');
      assert.equal(job.job_title, 'Job Title');
      assert.equal(job.location.postcode.postcode, 'S14BY');
      assert.equal(job.location.display, 'Sheffield, South Yorkshire');
      assert.equal(job.salary.from, '10.00');
      assert.equal(job.salary.frequency, 'HOURLY');
      assert.equal(job.open_date.utc, '2017-12-01T00:00:00+00:00');
      assert.equal(job.open_date.converted, '2017-11-30T19:00:00-05:00');
      assert.equal(job.close_date.utc, '2018-02-01T00:00:00+00:00');
      assert.deepEqual(job.sites.data.map((site: { id: number }) => site.id), [1, 2]);
    });

    it('2. GET /api/job/{id} of the job that exists', async () => {
      const response = await send('GET', `/api/job/${jobId}`);
      assert.equal(response.status, 200);
      assert.equal(response.body.data.id, jobId);
    });

    it('4. POST /api/job/{id}/update with DD-MM-YYYY dates', async () => {
      const response = await send('POST', `/api/job/${jobId}/update`, R1_UPDATE_FIELDS);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.data.open_date.utc, '2017-12-01T00:00:00+00:00');
      assert.equal(response.body.data.close_date.utc, '2018-02-01T00:00:00+00:00');
    });

    it('5. GET the look-ups', async () => {
      const countries = await send('GET', '/api/address/country');
      assert.equal(countries.status, 200);
      assert.deepEqual(countries.body.data.find((c: { id: number }) => c.id === 229), { id: 229, iso: 'GB', name: 'United Kingdom' });
      const types = await send('GET', '/api/job/type');
      assert.equal(types.body.data[0].handle, 'perm_fulltime');
      const categories = await send('GET', '/api/job/category');
      assert.ok(categories.body.data.some((c: { id: number; handle: string }) => c.id === 604 && c.handle === 'INTERNAL_COMMUNICATIONS'));
    });

    it("R2's create example: handles, postal_code, coordinates, REDIRECT, no close_date", async () => {
      const response = await send('POST', '/admin/api/job', [
        ['organisation', 'JDT'],
        ['job_category', 'ACCOUNTS_MANAGER'],
        ['job_type', 'perm_fulltime'],
        ['reference', 'JDT/R2'],
        ['name', 'Job Title'],
        ['summary', 'A short summary'],
        ['description', 'The jobs description'],
        ['open_date', '2017-12-01'],
        ['country', 'GB'],
        ['premise', '1 Example Road'],
        ['thoroughfare', 'Example Road'],
        ['locality', 'Example Area'],
        ['main_area', 'Sheffield'],
        ['sub_area', 'South Yorkshire'],
        ['postal_code', 'S1 4BY'],
        ['show_map', '1'],
        ['location_geo_lat', '53.3811'],
        ['location_geo_lon', '-1.4701'],
        ['salary_frequency', 'ANNUALLY'],
        ['salary_currency', 'GBP'],
        ['salary_text', 'Competitive'],
        ['apply_type', 'REDIRECT'],
        ['apply_data', 'https://ats.example/apply'],
        ['sites[]', '1'],
      ]);
      assert.ok([200, 201].includes(response.status), JSON.stringify(response.body));
      const job = response.body.data;
      assert.equal(job.category.data.handle, 'ACCOUNTS_MANAGER');
      assert.equal(job.close_date.utc, '2017-12-29T00:00:00+00:00');
      assert.deepEqual(job.location.geo, { lon: '-1.4701', lat: '53.3811' });
      assert.deepEqual(job.apply, { type: 'REDIRECT', url: 'https://ats.example/apply' });
    });
  });
}
