import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, createTenant, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';

/* Rules that must hold when many requests race: enforced by the store, not by checks that race. */
for (const store of stores) describe(`POST /api/job under concurrency [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  async function tenantWithToken(credits: number | null) {
    const tenant = await createTenant(test.app, { credits });
    return { tenant, token: await issueToken(test.app, tenant) };
  }

  const createAll = (token: string, bodies: Record<string, unknown>[]) =>
    Promise.all(bodies.map((payload) => test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload })));

  it('creates exactly ten of fifty simultaneous posts for ten credits, and the balance ends at zero', async () => {
    const { tenant, token } = await tenantWithToken(10);
    const bodies = Array.from({ length: 50 }, (_, i) => jobJson({ organisation: tenant.organisation, reference: `RACE-${i}` }));
    const responses = await createAll(token, bodies);
    const statuses = responses.map((response) => response.statusCode);
    assert.equal(statuses.filter((status) => status === 201).length, 10, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 402).length, 40);
    const organisation = await test.app.store.db.selectFrom('organisations').select(['id', 'credits'])
      .where('handle', '=', tenant.organisation).executeTakeFirstOrThrow();
    assert.equal(organisation.credits, 0);
    const jobs = await test.app.store.db.selectFrom('jobs').select('id').where('organisation_id', '=', organisation.id).execute();
    assert.equal(jobs.length, 10);
  });

  it('creates exactly one of twenty simultaneous posts with one reference; the rest get the 422', async () => {
    const { tenant, token } = await tenantWithToken(null);
    const bodies = Array.from({ length: 20 }, () => jobJson({ organisation: tenant.organisation, reference: 'SAME-REF' }));
    const responses = await createAll(token, bodies);
    const created = responses.filter((response) => response.statusCode === 201);
    const refused = responses.filter((response) => response.statusCode === 422);
    assert.equal(created.length, 1, responses.map((r) => r.statusCode).join(','));
    assert.equal(refused.length, 19);
    for (const response of refused) {
      assert.deepEqual(response.json().data.errors, { reference: ['The reference has already been taken.'] });
    }
  });

  it('refunds the credit of a post that loses the reference race', async () => {
    const { tenant, token } = await tenantWithToken(5);
    const bodies = Array.from({ length: 8 }, () => jobJson({ organisation: tenant.organisation, reference: 'ONE-REF' }));
    const responses = await createAll(token, bodies);
    assert.equal(responses.filter((response) => response.statusCode === 201).length, 1);
    const organisation = await test.app.store.db.selectFrom('organisations').select('credits')
      .where('handle', '=', tenant.organisation).executeTakeFirstOrThrow();
    assert.equal(organisation.credits, 4);
  });
});

/* Writes to one job take turns: each reads the job as the one before it left it. */
for (const store of stores) describe(`POST /api/job/{id}/update and /delete under concurrency [${store}]`, () => {
  let test: TestApp;
  let tokens: [string, string];
  before(async () => {
    test = await buildTestApp(store);
    tokens = [await issueToken(test.app), await issueToken(test.app)];
  });
  after(() => test.close());

  const post = (token: string, url: string, payload: Record<string, unknown>) =>
    test.app.inject({ method: 'POST', url, headers: auth(token), payload });
  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await post(tokens[0], '/api/job', jobJson(overrides));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data.id as number;
  };
  const storedJob = (id: number) =>
    test.app.store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('keeps both changes when two clients update different fields of one job at once, 40 rounds of 40', async () => {
    const id = await create();
    const lost: string[] = [];
    for (let round = 0; round < 40; round += 1) {
      const [byTitle, byPay] = await Promise.all([
        post(tokens[0], `/api/job/${id}/update`, { name: `Title ${round}` }),
        post(tokens[1], `/api/job/${id}/update`, { salary_text: `Pay ${round}` }),
      ]);
      assert.equal(byTitle.statusCode, 200, byTitle.body);
      assert.equal(byPay.statusCode, 200, byPay.body);
      const job = await storedJob(id);
      if (job.title !== `Title ${round}` || job.salary_text !== `Pay ${round}`) {
        lost.push(`round ${round}: ${job.title} / ${job.salary_text}`);
      }
    }
    assert.deepEqual(lost, []);
  });

  it('answers each update with the job as that update stored it, the other change included when it came first', async () => {
    const id = await create({ name: 'Before', salary_text: 'Before' });
    const [byTitle, byPay] = await Promise.all([
      post(tokens[0], `/api/job/${id}/update`, { name: 'After' }),
      post(tokens[1], `/api/job/${id}/update`, { salary_text: 'After' }),
    ]);
    const answered = [byTitle.json().data, byPay.json().data];
    assert.equal(answered[0].job_title, 'After');
    assert.equal(answered[1].salary.text, 'After');
    // Whichever wrote second read the first's change inside its transaction.
    assert.ok(answered.some((job) => job.job_title === 'After' && job.salary.text === 'After'));
  });

  it('acknowledges one of ten simultaneous deletes of a job; the other nine get the 422 and deleted_at stays', async () => {
    const id = await create();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => post(tokens[i % 2]!, `/api/job/${id}/delete`, {})));
    const acknowledged = responses.filter((response) => response.statusCode === 200);
    const refused = responses.filter((response) => response.statusCode === 422);
    assert.equal(acknowledged.length, 1, responses.map((response) => response.statusCode).join(','));
    assert.deepEqual(acknowledged[0]!.json(), { data: { acknowledged: true } });
    assert.equal(refused.length, 9);
    for (const response of refused) {
      const { data } = response.json();
      assert.equal(data.status_code, 422);
      assert.equal(typeof data.message, 'string');
      assert.deepEqual(data.errors, { job_id: ['Invalid job id.'] });
    }
    const deleted = await storedJob(id);
    assert.notEqual(deleted.deleted_at, null);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await post(tokens[0], `/api/job/${id}/delete`, {})).statusCode, 422);
    const later = await storedJob(id);
    assert.equal(later.deleted_at, deleted.deleted_at);
    assert.equal(later.updated_at, deleted.updated_at);
  });

  it('leaves a job unchanged when its update fails on the stored job, while a write sharing its commit succeeds', async () => {
    const failing = await create({ open_date: '2026-03-01', close_date: '2026-04-01' });
    const other = await create();
    const before = await storedJob(failing);
    // The close date passes alone but falls before the stored open date: only the row read in the write refuses it.
    const [refused, accepted] = await Promise.all([
      post(tokens[0], `/api/job/${failing}/update`, { name: 'Never stored', close_date: '2026-02-01', postcode: 'ZZ9 9ZZ' }),
      post(tokens[1], `/api/job/${other}/update`, { name: 'Stored' }),
    ]);
    assert.equal(refused.statusCode, 422, refused.body);
    assert.deepEqual(refused.json().data.errors, { close_date: ['The close date must be a date after or equal to open date.'] });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(await storedJob(failing), before);
    assert.equal((await storedJob(other)).title, 'Stored');
  });

  it('lets one of two updates racing to one new reference take it; the other answers 422 and changes nothing', async () => {
    const ids = [await create(), await create()];
    const before = await Promise.all(ids.map(storedJob));
    const responses = await Promise.all(
      ids.map((id, i) => post(tokens[i]!, `/api/job/${id}/update`, { reference: 'RACED-REF', name: `Renamed ${i}`, postcode: `RR${i} 1AA` })),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    assert.deepEqual(statuses, [200, 422], responses.map((response) => response.body).join('\n'));
    const loser = responses.findIndex((response) => response.statusCode === 422);
    assert.deepEqual(responses[loser]!.json().data.errors, { reference: ['The reference has already been taken.'] });
    assert.deepEqual(await storedJob(ids[loser]!), before[loser]);
    const postcodes = await test.app.store.db.selectFrom('postcodes').select('postcode').where('postcode', '=', `RR${loser}1AA`).execute();
    assert.deepEqual(postcodes, [], "the loser's new postcode was rolled back with it");
  });
});
