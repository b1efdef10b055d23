import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, V1, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { describeSecurityMatrix } from '../support/security-matrix.ts';

for (const store of stores) describe(`look-up endpoints [${store}]`, () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const get = async (url: string) => {
    const response = await test.app.inject({ url, headers: auth(token) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data;
  };

  for (const prefix of ['/api', '/admin/api']) {
    it(`GET ${prefix}/address/country lists ISO countries with fixed ids`, async () => {
      const countries = await get(`${prefix}/address/country`);
      assert.ok(countries.length >= 249);
      assert.deepEqual(countries[0], { id: 1, iso: 'AF', name: 'Afghanistan' });
      assert.deepEqual(countries[1], { id: 2, iso: 'AL', name: 'Albania' });
      assert.deepEqual(countries.find((c: { id: number }) => c.id === 229), { id: 229, iso: 'GB', name: 'United Kingdom' });
    });
  }

  it('GET /api/job/type lists types with date objects', async () => {
    const types = await get('/api/job/type');
    assert.deepEqual(types.slice(0, 2).map((t: { id: number; handle: string }) => [t.id, t.handle]), [
      [1, 'perm_fulltime'],
      [2, 'perm_parttime'],
    ]);
    assert.deepEqual(Object.keys(types[0]), ['id', 'handle', 'name', 'created_at', 'updated_at']);
    assert.match(types[0].created_at.converted, /-0[45]:00$/, 'in the demo user zone, America/New_York');
  });

  it('GET /api/job/category is a two-level taxonomy with the pinned ids', async () => {
    const categories: { id: number; handle: string; parent_id: number | null }[] = await get('/api/job/category');
    const byId = new Map(categories.map((c) => [c.id, c]));
    assert.equal(byId.get(1)?.handle, 'root');
    assert.equal(byId.get(2)?.handle, 'ACCOUNTANCY');
    assert.equal(byId.get(3)?.parent_id, 2);
    assert.equal(byId.get(4)?.handle, 'ACCOUNTS_ASSISTANT');
    assert.equal(byId.get(138)?.handle, 'MARKETING_PR');
    assert.deepEqual([byId.get(604)?.handle, byId.get(604)?.parent_id], ['INTERNAL_COMMUNICATIONS', 138]);
    const sectors = categories.filter((c) => c.parent_id === 1);
    const roles = categories.filter((c) => c.parent_id !== null && c.parent_id !== 1);
    assert.ok(sectors.length >= 25);
    assert.ok(roles.length >= 300);
    assert.ok(roles.every((role) => byId.get(role.parent_id!)?.parent_id === 1), 'every role sits under a sector');
  });

  it('GET /api/job/options combines every look-up', async () => {
    const options = await get('/api/job/options');
    assert.deepEqual(Object.keys(options), ['country', 'job_type', 'job_category', 'salary_currency', 'salary_frequency', 'apply_type']);
    assert.deepEqual(options.salary_currency.slice(0, 2).map((c: { iso_code: string }) => c.iso_code), ['USD', 'EUR']);
    assert.deepEqual(options.salary_currency.find((c: { id: number }) => c.id === 4), { id: 4, iso_code: 'GBP', symbol: '£', unicode: '&#163;' });
    assert.deepEqual(options.salary_frequency.map((f: { handle: string }) => f.handle), [
      'HOURLY', 'DAILY', 'WEEKLY', 'FORTNIGHTLY', '4WEEKLY', 'MONTHLY', 'ANNUALLY',
    ]);
    assert.deepEqual(options.apply_type.slice(0, 2).map((a: { id: number; handle: string }) => [a.id, a.handle]), [
      [1, 'REDIRECT'],
      [2, 'SIGNUP'],
    ]);
    const gb = options.country.find((c: { iso: string }) => c.iso === 'GB');
    assert.equal(typeof gb.geo_lat, 'number');
  });

  it('needs a token like everything under /api', async () => {
    const response = await test.app.inject({ url: '/api/job/type', headers: { accept: V1 } });
    assert.equal(response.statusCode, 401);
  });
});

describeSecurityMatrix([
  { method: 'GET', path: '/address/country' },
  { method: 'GET', path: '/job/type' },
  { method: 'GET', path: '/job/category' },
  { method: 'GET', path: '/job/options' },
]);
