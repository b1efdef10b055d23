import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { createClient } from '../../src/tenancy/service.ts';
import { describeSecurityMatrix } from '../support/security-matrix.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const LIVE = { open_date: day(-10), close_date: day(30) };
/** Jobs outside the accountancy sector and without pay. */
const OTHER = { job_category: 'INTERNAL_COMMUNICATIONS', salary_from: null, salary_to: null };

/** A small board: each job is there to be found by one parameter and missed by the others. */
const JOBS: Record<string, Record<string, unknown>> = {
  marketing: { ...LIVE, name: 'Digital Marketing Manager', skills: 'SEO, campaigns', main_area: 'Sheffield',
    job_category: 'INTERNAL_COMMUNICATIONS', job_type: 'perm_fulltime', salary_frequency: 'ANNUALLY',
    salary_from: 35000, salary_to: 45000, sites: [1, 2] },
  assistant: { ...LIVE, name: 'Accounts Assistant', main_area: 'Rotherham', job_category: 'ACCOUNTS_ASSISTANT',
    job_type: 'perm_parttime', salary_frequency: 'HOURLY', salary_from: 12, salary_to: 14 },
  accountant: { ...LIVE, name: 'Senior Accountant', main_area: 'Leeds', sub_area: 'West Yorkshire',
    job_category: 'ACCOUNTS_MANAGER', job_type: 'contract_fulltime', salary_frequency: 'HOURLY', salary_from: 30, salary_to: 35 },
  sales: { ...LIVE, name: 'Head of Sales', description: 'Lead the sales team across the south.', main_area: 'London',
    sub_area: null, job_category: 'INTERNAL_COMMUNICATIONS', salary_frequency: 'ANNUALLY', salary_from: 80000, salary_to: 90000 },
  expired: { ...OTHER, open_date: '2020-01-01', close_date: '2020-02-01', name: 'Digital Designer', main_area: 'London', sub_area: null },
  scheduled: { ...OTHER, open_date: day(100), name: 'Graduate Scheme', main_area: 'London', sub_area: null },
  partner: { ...OTHER, ...LIVE, name: 'Partner Board Clerk', main_area: 'Sheffield', sites: [2] },
};

for (const store of stores) describe(`GET /api/job search [${store}]`, () => {
  let test: TestApp;
  let token: string;
  const ids: Record<string, number> = {};
  const names = (body: { data: { id: number }[] }) => {
    const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return body.data.map((job) => byId[job.id]).sort();
  };

  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
    for (const [name, fields] of Object.entries(JOBS)) {
      const response = await test.app.inject({
        method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ sub_area: 'South Yorkshire', ...fields }),
      });
      assert.equal(response.statusCode, 201, response.body);
      ids[name] = response.json().data.id;
    }
  });
  after(() => test.close());

  const search = async (query: string, bearer = token) => {
    const response = await test.app.inject({ url: `/api/job?${query}`, headers: auth(bearer) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  it('finds a keyword in the title and nothing else, counted exactly', async () => {
    const found = await search('q=marketing');
    assert.deepEqual(names(found), ['marketing']);
    assert.equal(found.meta.pagination.total, 1);
    assert.equal(found.meta.total_relation, 'eq');
    assert.deepEqual(names(await search('q=zebra')), []);
  });

  it('stems English words and searches the description and skills', async () => {
    assert.deepEqual(names(await search('q=leads')), ['sales'], 'lead/leads share a stem');
    assert.deepEqual(names(await search('q=seo')), ['marketing']);
  });

  it('matches quoted phrases in order', async () => {
    assert.deepEqual(names(await search(`q=${encodeURIComponent('"head of sales"')}`)), ['sales']);
    assert.deepEqual(names(await search(`q=${encodeURIComponent('"sales of head"')}`)), []);
  });

  it('matches the last word as a prefix, even past its stem', async () => {
    assert.deepEqual(names(await search('q=digi')), ['expired', 'marketing']);
    assert.deepEqual(names(await search('q=digita')), ['expired', 'marketing']);
    assert.deepEqual(names(await search('q=digital+mana')), ['marketing']);
    assert.deepEqual(names(await search('q=mana+digital')), [], 'only the last word is a prefix');
  });

  it('ranks title matches first by relevance', async () => {
    const body = await search('q=sales');
    assert.equal(body.data[0].id, ids.sales);
  });

  it('includes Rotherham and excludes Leeds within 10 miles of Sheffield, with distances', async () => {
    const body = await search('location=Sheffield&radius=10');
    assert.deepEqual(names(body), ['assistant', 'marketing', 'partner']);
    const assistant = body.data.find((job: { id: number }) => job.id === ids.assistant);
    assert.equal(assistant.distance.unit, 'mi');
    assert.ok(assistant.distance.value > 3 && assistant.distance.value < 10, JSON.stringify(assistant.distance));
    const km = await search('location=Sheffield&radius=60&radius_unit=km');
    assert.ok(names(km).includes('accountant'), 'Leeds is about 47 km away');
  });

  it('answers 422 naming an unknown place, and 400 for nonsense', async () => {
    const unknown = await test.app.inject({ url: '/api/job?location=Nowhere%20Special', headers: auth(token) });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.json().data.errors.location[0], /Nowhere Special/);
    for (const query of ['radius=-1&location=Leeds', 'radius_unit=furlong', 'sort=cheapest', 'sort=distance',
      'lat=53', 'category=NOPE', 'salary_min=10', 'status=dormant', `q=${'x'.repeat(300)}`, 'posted_since=yesterday']) {
      const response = await test.app.inject({ url: `/api/job?${query}`, headers: auth(token) });
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
    }
  });

  it('includes every role of a sector', async () => {
    assert.deepEqual(names(await search('category=ACCOUNTANCY')), ['accountant', 'assistant']);
    assert.deepEqual(names(await search('category=ACCOUNTS_MANAGER')), ['accountant']);
  });

  it('filters by type, country, organisation, site and status', async () => {
    assert.deepEqual(names(await search('type=perm_parttime&type=contract_fulltime')), ['accountant', 'assistant']);
    assert.equal((await search('country=FR')).data.length, 0);
    assert.equal((await search('country=GB&organisation=JDT')).meta.pagination.total, Object.keys(JOBS).length);
    assert.deepEqual(names(await search('site=2')), ['marketing', 'partner']);
    assert.deepEqual(names(await search('status=expired')), ['expired']);
    assert.deepEqual(names(await search('status=scheduled')), ['scheduled']);
    assert.equal((await search('status=live')).meta.pagination.total, 5);
  });

  it('compares pay on an annual basis across frequencies', async () => {
    // Assistant: £12-14 an hour is £24,960-29,120 a year; the accountant's £30-35 is £62,400-72,800.
    assert.deepEqual(names(await search('salary_min=40000&salary_currency=GBP')), ['accountant', 'marketing', 'sales']);
    assert.deepEqual(names(await search('salary_max=30000&salary_currency=GBP')), ['assistant']);
    assert.deepEqual(names(await search('salary_min=60000&salary_max=70000&salary_currency=GBP')), ['accountant']);
    assert.equal((await search('salary_min=1&salary_currency=USD')).data.length, 0);
  });

  it('orders by salary, closing date and distance', async () => {
    const bySalary = (await search('sort=salary&status=live')).data.map((job: { id: number }) => job.id);
    assert.deepEqual(bySalary.slice(0, 4), [ids.sales, ids.accountant, ids.marketing, ids.assistant]);
    const byDistance = (await search('location=Sheffield&radius=200&sort=distance')).data.map((job: { id: number }) => job.id);
    assert.ok(byDistance.indexOf(ids.assistant) < byDistance.indexOf(ids.accountant));
    assert.ok(byDistance.indexOf(ids.accountant) < byDistance.indexOf(ids.sales));
    const closing = (await search('sort=closing')).data.map((job: { id: number }) => job.id);
    assert.equal(closing[0], ids.expired);
  });

  it('counts facets over the filtered set, not the page', async () => {
    const body = await search('category=ACCOUNTANCY&page[size]=1');
    assert.equal(body.data.length, 1);
    const { aggregations } = body.meta;
    assert.deepEqual(aggregations['location.country.iso'], [{ key: 'gb', doc_count: 2 }]);
    assert.deepEqual(aggregations['category.parent.handle'], [{ key: 'ACCOUNTANCY', doc_count: 2 }]);
    assert.deepEqual(aggregations['type.handle'], [
      { key: 'contract_fulltime', doc_count: 1 },
      { key: 'perm_parttime', doc_count: 1 },
    ]);
    assert.deepEqual(aggregations['salary.band'], [
      { key: '20000-30000', currency: 'GBP', doc_count: 1 },
      { key: '70000-80000', currency: 'GBP', doc_count: 1 },
    ]);
    assert.equal(typeof body.meta.took, 'number');
  });

  describe('GET /api/job/suggest', () => {
    it('completes a title prefix, more frequent first, each with a job id', async () => {
      for (const reference of ['EXTRA-1', 'EXTRA-2']) {
        await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token),
          payload: jobJson({ ...LIVE, reference, name: 'Digital Designer', main_area: 'London', sub_area: null }) });
      }
      const response = await test.app.inject({ url: '/api/job/suggest?q=DIG', headers: auth(token) });
      assert.equal(response.statusCode, 200, response.body);
      const suggestions = response.json().data;
      assert.deepEqual(suggestions.map((s: { text: string }) => s.text), ['Digital Designer', 'Digital Marketing Manager']);
      assert.equal(suggestions[0].count, 3);
      assert.equal(typeof suggestions[0].id, 'number');
    });

    it('completes the start of a title only, over several words', async () => {
      const texts = async (q: string) => {
        const response = await test.app.inject({ url: `/api/job/suggest?q=${encodeURIComponent(q)}`, headers: auth(token) });
        assert.equal(response.statusCode, 200, response.body);
        return response.json().data.map((s: { text: string }) => s.text);
      };
      assert.deepEqual(await texts('digital mar'), ['Digital Marketing Manager']);
      assert.deepEqual(await texts('Digital  Marketing '), ['Digital Marketing Manager'], 'a finished word, case and spaces folded');
      assert.deepEqual(await texts('marketing'), [], 'a word inside a title does not start it');
      const symbols = await test.app.inject({ url: '/api/job/suggest?q=%2B%2B', headers: auth(token) });
      assert.equal(symbols.statusCode, 400);
    });

    it('puts nearer titles first when given a point', async () => {
      // Sheffield: the marketing job is there, all three designers are in London.
      const response = await test.app.inject({ url: '/api/job/suggest?q=digital&lat=53.38&lon=-1.47&size=1', headers: auth(token) });
      assert.deepEqual(response.json().data.map((s: { text: string }) => s.text), ['Digital Marketing Manager']);
    });
  });

  describe('a board client', () => {
    let boardToken: string;
    before(async () => {
      const client = await createClient(test.app.store.db, { name: 'Partner board', siteIds: [2], allowBasic: false, board: true });
      const response = await test.app.inject({
        method: 'POST', url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().refresh_token, undefined);
      boardToken = response.json().access_token;
    });

    it('sees exactly the live jobs on its sites, from every organisation', async () => {
      assert.deepEqual(names(await search('', boardToken)), ['marketing', 'partner']);
      const read = await test.app.inject({ url: `/api/job/${ids.partner}`, headers: auth(boardToken) });
      assert.equal(read.statusCode, 200);
      for (const hidden of ['assistant', 'expired', 'scheduled']) {
        const response = await test.app.inject({ url: `/api/job/${ids[hidden]}`, headers: auth(boardToken) });
        assert.equal(response.statusCode, 404, hidden);
      }
      const expired = await test.app.inject({ url: '/api/job?status=expired', headers: auth(boardToken) });
      assert.equal(expired.statusCode, 400);
    });

    it('cannot write', async () => {
      const create = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(boardToken), payload: jobJson() });
      assert.equal(create.statusCode, 403);
      const update = await test.app.inject({ method: 'POST', url: `/api/job/${ids.partner}/update`, headers: auth(boardToken), payload: { name: 'x' } });
      assert.equal(update.statusCode, 403);
      const remove = await test.app.inject({ method: 'POST', url: `/api/job/${ids.partner}/delete`, headers: auth(boardToken) });
      assert.equal(remove.statusCode, 403);
    });

    it('may not use the password grant, nor a vendor the client_credentials grant', async () => {
      const response = await test.app.inject({
        method: 'POST', url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: 'demo-client', client_secret: 'demo-client-secret' },
      });
      assert.equal(response.json().error, 'unauthorized_client');
    });
  });
});

describeSecurityMatrix([
  { method: 'GET', path: '/job?q={word}' },
  { method: 'GET', path: '/job/suggest?q={word}' },
]);
