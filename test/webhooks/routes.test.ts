import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, createTenant, DEMO, issueToken, type TestApp, useTestApp } from '../support/app.ts';
import { addUserToOrganisation, createClient, createOrganisation } from '../../src/tenancy/service.ts';
import { stores } from '../support/stores.ts';
import { describeSecurityMatrix } from '../support/security-matrix.ts';
import { webhookBody } from '../support/webhooks.ts';

for (const store of stores) describe(`webhooks [${store}]`, () => {
  const suite = useTestApp(store, { DELIVERY_POLL_MS: '0' });

  const post = (url: string, payload: unknown, bearer = suite.token) =>
    suite.test.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: auth(bearer) });
  const get = (url: string, bearer = suite.token) => suite.test.app.inject({ url, headers: auth(bearer) });
  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await post('/api/webhook', webhookBody(overrides));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data;
  };

  describe('POST /api/webhook', () => {
    it('answers 201 with the webhook and its secret, shown once', async () => {
      const webhook = await create({ expiring_days: 7 });
      assert.deepEqual(Object.keys(webhook), [
        'id', 'organisation', 'url', 'events', 'expiring_days', 'enabled', 'disabled_reason', 'disabled_at',
        'created_at', 'updated_at', 'links', 'secret',
      ]);
      assert.equal(webhook.organisation.data.handle, 'JDT');
      assert.equal(webhook.url, 'https://hooks.example.com/jobspace');
      assert.deepEqual(webhook.events, ['job.created', 'job.updated']);
      assert.equal(webhook.expiring_days, 7);
      assert.equal(webhook.enabled, true);
      assert.match(webhook.secret, /^[0-9a-f]{64}$/);
      assert.equal(webhook.links.self, `http://jobs.test/api/webhook/${webhook.id}`);
      const read = await get(`/api/webhook/${webhook.id}`);
      assert.equal(read.statusCode, 200, read.body);
      assert.equal('secret' in read.json().data, false);
      const stored = await suite.test.app.store.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
      assert.equal(JSON.stringify(stored).includes(webhook.secret), false, 'the store never holds the secret');
    });

    it('defaults expiring_days to 3 and takes events[] from a form', async () => {
      const response = await suite.test.app.inject({
        method: 'POST', url: '/api/webhook', headers: { ...auth(suite.token), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'organisation=JDT&url=https%3A%2F%2Fhooks.example.com%2Fform&events%5B%5D=job.created&events%5B%5D=job.expiring',
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().data.expiring_days, 3);
      assert.deepEqual(response.json().data.events, ['job.created', 'job.expiring']);
    });

    it('answers 422 naming every missing field', async () => {
      const response = await post('/api/webhook', {});
      assert.equal(response.statusCode, 422, response.body);
      assert.deepEqual(response.json().data, {
        message: '422 Unprocessable Entity',
        status_code: 422,
        errors: {
          organisation: ['The organisation field is required.'],
          url: ['The url field is required.'],
          events: ['The events field is required.'],
        },
      });
    });

    it('takes a multipart body as the job routes do', async () => {
      const boundary = '----hook';
      const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const payload = part('organisation', 'JDT') + part('url', 'https://hooks.example.com/multipart') +
        part('events[]', 'job.deleted') + part('expiring_days', '9') + `--${boundary}--\r\n`;
      const response = await suite.test.app.inject({
        method: 'POST', url: '/admin/api/webhook', payload,
        headers: { ...auth(suite.token), 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.deepEqual(response.json().data.events, ['job.deleted']);
      assert.equal(response.json().data.expiring_days, 9);
    });

    it('answers 422 naming every invalid field', async () => {
      const response = await post('/api/webhook', webhookBody({
        url: 'ftp://hooks.example.com', events: ['job.created', 'job.exploded'], expiring_days: 61, enabled: 'maybe',
      }));
      assert.equal(response.statusCode, 422, response.body);
      assert.deepEqual(response.json().data.errors, {
        url: ['The url format is invalid.'],
        events: ['The selected events.1 is invalid.'],
        expiring_days: ['The expiring days must be between 1 and 60.'],
        enabled: ['The enabled field must be true or false.'],
      });
    });

    it('answers 422 for plain http and for a literal internal address while WEBHOOK_ALLOW_PRIVATE is off', async () => {
      for (const [url, message] of [
        ['http://hooks.example.com/', 'The url must be an https URL.'],
        ['https://127.0.0.1/hook', 'The url must not point to a private or internal address.'],
        ['https://10.1.2.3/hook', 'The url must not point to a private or internal address.'],
        ['https://[::ffff:127.0.0.1]/hook', 'The url must not point to a private or internal address.'],
        ['https://[fd00::1]/hook', 'The url must not point to a private or internal address.'],
        ['https://169.254.169.254/latest/meta-data', 'The url must not point to a private or internal address.'],
      ]) {
        const response = await post('/api/webhook', webhookBody({ url }));
        assert.equal(response.statusCode, 422, `${url}: ${response.body}`);
        assert.deepEqual(response.json().data.errors, { url: [message] }, url);
      }
      const expiring = await post('/api/webhook', webhookBody({ expiring_days: 'soon' }));
      assert.deepEqual(expiring.json().data.errors, { expiring_days: ['The expiring days must be an integer.'] });
    });

    it("answers 403 for another tenant's organisation before any 422", async () => {
      const other = await createTenant(suite.test.app);
      const response = await post('/api/webhook', { organisation: other.organisation, url: 'nonsense' });
      assert.equal(response.statusCode, 403, response.body);
    });
  });

  describe('GET /api/webhook', () => {
    it("lists the caller's organisations' webhooks, newest first, paginated", async () => {
      const first = await create();
      const second = await create();
      const response = await get('/api/webhook?page[size]=1');
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(body.data.map((webhook: { id: number }) => webhook.id), [second.id]);
      assert.equal(body.meta.pagination.per_page, 1);
      assert.ok(body.meta.pagination.total >= 2);
      assert.match(body.meta.pagination.links.next, /page%5Bnumber%5D=2/);
      const all = (await get('/api/webhook?page[size]=100')).json().data.map((webhook: { id: number }) => webhook.id);
      assert.ok(all.includes(first.id));
      assert.equal(all.some((webhook: { secret?: string }) => webhook.secret), false);
    });

    it("does not list another tenant's webhooks", async () => {
      const other = await createTenant(suite.test.app);
      const otherToken = await issueToken(suite.test.app, other);
      const theirs = await post('/api/webhook', webhookBody({ organisation: other.organisation }), otherToken);
      assert.equal(theirs.statusCode, 201, theirs.body);
      const mine = (await get('/api/webhook?page[size]=100')).json().data.map((webhook: { id: number }) => webhook.id);
      assert.equal(mine.includes(theirs.json().data.id), false);
    });

    it('answers 403 to a board client', async () => {
      const board = await createClient(suite.test.app.store.db, { name: 'Board', siteIds: [1], allowBasic: false, board: true });
      const grant = await suite.test.app.inject({
        method: 'POST', url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: board.clientId, client_secret: board.clientSecret },
      });
      assert.equal((await get('/api/webhook', grant.json().access_token)).statusCode, 403);
    });
  });

  describe('POST /api/webhook/{id}/update', () => {
    it('applies the fields sent and keeps the others', async () => {
      const webhook = await create();
      const response = await post(`/api/webhook/${webhook.id}/update`, { events: ['job.deleted'], expiring_days: '10' });
      assert.equal(response.statusCode, 200, response.body);
      const updated = response.json().data;
      assert.deepEqual(updated.events, ['job.deleted']);
      assert.equal(updated.expiring_days, 10);
      assert.equal(updated.url, webhook.url);
      assert.equal('secret' in updated, false);
    });

    it("moves the webhook to another of the user's organisations", async () => {
      const webhook = await create();
      await createOrganisation(suite.test.app.store.db, { handle: 'HOOKMOVE', name: 'Moved to', credits: null });
      await addUserToOrganisation(suite.test.app.store.db, DEMO.username, 'HOOKMOVE');
      const response = await post(`/api/webhook/${webhook.id}/update`, { organisation: 'HOOKMOVE' });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().data.organisation.data.handle, 'HOOKMOVE');
    });

    it('re-enables a disabled webhook with enabled=true', async () => {
      const webhook = await create();
      await suite.test.app.store.db.updateTable('webhooks')
        .set({ enabled: 0, disabled_reason: 'Deliveries failed for 24 hours', disabled_at: new Date().toISOString(), failing_since: new Date().toISOString() })
        .where('id', '=', webhook.id).execute();
      const disabled = (await get(`/api/webhook/${webhook.id}`)).json().data;
      assert.equal(disabled.enabled, false);
      assert.equal(disabled.disabled_reason, 'Deliveries failed for 24 hours');
      assert.equal(typeof disabled.disabled_at.utc, 'string');
      const enabled = (await post(`/api/webhook/${webhook.id}/update`, { enabled: 'true' })).json().data;
      assert.equal(enabled.enabled, true);
      assert.equal(enabled.disabled_reason, null);
      assert.equal(enabled.disabled_at, null);
    });

    it('answers a new secret for rotate_secret=true', async () => {
      const webhook = await create();
      const rotated = (await post(`/api/webhook/${webhook.id}/update`, { rotate_secret: true })).json().data;
      assert.match(rotated.secret, /^[0-9a-f]{64}$/);
      assert.notEqual(rotated.secret, webhook.secret);
    });

    it('answers 422 for a field sent empty that may not be', async () => {
      const webhook = await create();
      const response = await post(`/api/webhook/${webhook.id}/update`, { url: '', events: [], expiring_days: 0 });
      assert.equal(response.statusCode, 422, response.body);
      assert.deepEqual(response.json().data.errors, {
        url: ['The url field is required.'],
        events: ['The events field is required.'],
        expiring_days: ['The expiring days must be between 1 and 60.'],
      });
    });
  });

  describe('POST /api/webhook/{id}/delete', () => {
    it('deletes the webhook: then 404', async () => {
      const webhook = await create();
      const response = await post(`/api/webhook/${webhook.id}/delete`, {});
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { data: { acknowledged: true } });
      assert.equal((await get(`/api/webhook/${webhook.id}`)).statusCode, 404);
      assert.equal((await post(`/api/webhook/${webhook.id}/delete`, {})).statusCode, 404);
    });
  });

  describe('GET /api/webhook/{id}/deliveries', () => {
    it("lists the webhook's deliveries newest first, with their event", async () => {
      const webhook = await create({ events: ['job.created'] });
      const { jobJson } = await import('../support/fixtures.ts');
      for (const reference of ['D-1', 'D-2']) {
        assert.equal((await post('/api/job', jobJson({ reference }))).statusCode, 201);
      }
      await suite.test.app.deliveries.runOnce().catch(() => undefined);
      const response = await get(`/api/webhook/${webhook.id}/deliveries`);
      assert.equal(response.statusCode, 200, response.body);
      const { data, meta } = response.json();
      assert.equal(meta.pagination.total, 2);
      assert.ok(data[0].id > data[1].id);
      assert.equal(data[0].event.type, 'job.created');
      assert.match(data[0].event.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(Object.keys(data[0]), [
        'id', 'event', 'status', 'attempts', 'last_status', 'last_error', 'next_attempt_at', 'created_at', 'delivered_at',
      ]);
    });
  });
});

describeSecurityMatrix([
  { method: 'GET', path: '/webhook', vendorsOnly: true },
  { method: 'POST', path: '/webhook', body: (target) => webhookBody({ organisation: target.organisation }), writeTargets: 'organisation', answers: 201 },
  { method: 'GET', path: '/webhook/{webhook}', vendorsOnly: true },
  { method: 'POST', path: '/webhook/{webhook}/update', body: (target) => ({ organisation: target.organisation, expiring_days: 5 }), writeTargets: 'organisation' },
  { method: 'POST', path: '/webhook/{webhook}/delete' },
  { method: 'GET', path: '/webhook/{webhook}/deliveries', vendorsOnly: true },
  { method: 'POST', path: '/webhook/application-secret', body: (target) => ({ organisation: target.organisation }), writeTargets: 'organisation' },
]);
