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
