import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { auth, createTenant, DEMO, issueToken, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { webhookBody } from '../support/webhooks.ts';
import { applicationJson, createLiveJob, issueBoardToken, postApplication } from '../support/applications.ts';
import { findClientByClientId, findOrganisationByHandle, findUserByUsername } from '../../src/tenancy/repository.ts';
import type { AuditLogTable } from '../../src/db/types.ts';

type Row = { [K in keyof AuditLogTable]: AuditLogTable[K] extends import('kysely').Generated<infer T> ? T : AuditLogTable[K] };

let requests = 0;

for (const store of stores) describe(`the audit trail of API writes [${store}]`, () => {
  const suite = useTestApp(store);
  const ids = { client: 0, user: 0, organisation: 0 };
  before(async () => {
    const db = suite.test.app.store.db;
    ids.client = (await findClientByClientId(db, DEMO.clientId))?.id as number;
    ids.user = (await findUserByUsername(db, DEMO.username))?.id as number;
    ids.organisation = (await findOrganisationByHandle(db, 'JDT'))?.id as number;
  });

  /** A write with a request id of its own, so that its entry can be told by it. */
  async function send(method: 'POST' | 'GET', url: string, payload?: Record<string, unknown>, token = suite.token) {
    requests += 1;
    const requestId = `audit-${requests}`;
    const response = await suite.test.app.inject({ method, url, payload, headers: { ...auth(token), 'x-request-id': requestId } });
    return { response, requestId };
  }
  const entriesOf = (requestId: string) =>
    suite.test.app.store.db.selectFrom('audit_log').selectAll().where('request_id', '=', requestId).execute() as Promise<Row[]>;
  const countEntries = async () => Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(suite.test.app.store.db)).rows[0]?.n);

  /** Exactly one entry, by the demo vendor for JDT unless told otherwise. */
  async function assertOneEntry(requestId: string, expected: Partial<Row>) {
    const entries = await entriesOf(requestId);
    assert.equal(entries.length, 1, `one entry for ${requestId}`);
    const [entry] = entries as [Row];
    assert.deepEqual(
      { ...entry, id: undefined, at: undefined },
      {
        id: undefined, at: undefined, source: 'api', api_client_id: ids.client, user_id: ids.user, organisation_id: ids.organisation,
        request_id: requestId, ...expected,
      },
    );
    assert.match(entry.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }

  it('POST /api/job records job.create with the job, its organisation, the client, the user and the request', async () => {
    const { response, requestId } = await send('POST', '/api/job', jobJson());
    assert.equal(response.statusCode, 201, response.body);
    await assertOneEntry(requestId, { action: 'job.create', target_type: 'job', target_id: response.json().data.id });
  });

  it('POST /api/job/{id}/update and /delete record job.update and job.delete', async () => {
    const created = (await send('POST', '/api/job', jobJson())).response.json().data.id;
    const update = await send('POST', `/api/job/${created}/update`, { title: 'Audited Clerk' });
    assert.equal(update.response.statusCode, 200, update.response.body);
    await assertOneEntry(update.requestId, { action: 'job.update', target_type: 'job', target_id: created });
    const deleted = await send('POST', `/api/job/${created}/delete`);
    assert.equal(deleted.response.statusCode, 200, deleted.response.body);
    await assertOneEntry(deleted.requestId, { action: 'job.delete', target_type: 'job', target_id: created });
  });

  it('a refused write leaves no entry: a validation error, and a job rolled back after its insert for want of credits', async () => {
    const poor = await createTenant(suite.test.app, { credits: 0 });
    const poorToken = await issueToken(suite.test.app, poor);
    const before = await countEntries();
    const invalid = await send('POST', '/api/job', {});
    assert.equal(invalid.response.statusCode, 422);
    const rolledBack = await send('POST', '/api/job', jobJson({ organisation: poor.organisation }), poorToken);
    assert.equal(rolledBack.response.statusCode, 402, rolledBack.response.body);
    const missing = await send('POST', '/api/job/999999/update', { title: 'Nobody' });
    assert.equal(missing.response.statusCode, 404);
    assert.deepEqual(await entriesOf(invalid.requestId), []);
    assert.deepEqual(await entriesOf(rolledBack.requestId), []);
    assert.deepEqual(await entriesOf(missing.requestId), []);
    assert.equal(await countEntries(), before, 'no entry at all');
  });

  it('keeps one entry per write of a batch committed together, and none for the write rolled back among them', async () => {
    const poor = await createTenant(suite.test.app, { credits: 0 });
    const poorToken = await issueToken(suite.test.app, poor);
    const sent = await Promise.all([...Array(6)].map((_, index) =>
      index === 3 ? send('POST', '/api/job', jobJson({ organisation: poor.organisation }), poorToken) : send('POST', '/api/job', jobJson())));
    for (const [index, { response, requestId }] of sent.entries()) {
      if (index === 3) {
        assert.equal(response.statusCode, 402, response.body);
        assert.deepEqual(await entriesOf(requestId), []);
      } else {
        assert.equal(response.statusCode, 201, response.body);
        await assertOneEntry(requestId, { action: 'job.create', target_type: 'job', target_id: response.json().data.id });
      }
    }
  });

  it('applications: submit by a board (no user), update and erase by the vendor, with ids and no personal data', async () => {
    const jobId = await createLiveJob(suite.test, suite.token);
    const boardToken = await issueBoardToken(suite.test.app, [1]);
    const fields = applicationJson();
    requests += 1;
    const submitId = `audit-${requests}`;
    const submitted = await suite.test.app.inject({
      method: 'POST', url: `/api/job/${jobId}/apply`, payload: fields, headers: { ...auth(boardToken), 'x-request-id': submitId },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const applicationId = submitted.json().data.id;
    const [entry] = await entriesOf(submitId);
    assert.equal(entry?.action, 'application.submit');
    assert.equal(entry?.target_id, applicationId);
    assert.equal(entry?.user_id, null);
    assert.equal(entry?.organisation_id, ids.organisation);
    assert.notEqual(entry?.api_client_id, ids.client);
    const update = await send('POST', `/api/application/${applicationId}/update`, { status: 'reviewed' });
    assert.equal(update.response.statusCode, 200, update.response.body);
    await assertOneEntry(update.requestId, { action: 'application.update', target_type: 'application', target_id: applicationId });
    const erase = await send('POST', `/api/application/${applicationId}/delete`);
    assert.equal(erase.response.statusCode, 200, erase.response.body);
    await assertOneEntry(erase.requestId, { action: 'application.erase', target_type: 'application', target_id: applicationId });
    const trail = JSON.stringify(await suite.test.app.store.db.selectFrom('audit_log').selectAll().execute());
    for (const personal of [fields.email, fields.first_name, fields.last_name, fields.phone] as string[]) assert.ok(!trail.includes(personal), personal);
  });

  it('webhooks: create, update and delete', async () => {
    const created = await send('POST', '/api/webhook', webhookBody());
    assert.equal(created.response.statusCode, 201, created.response.body);
    const id = created.response.json().data.id;
    await assertOneEntry(created.requestId, { action: 'webhook.create', target_type: 'webhook', target_id: id });
    const update = await send('POST', `/api/webhook/${id}/update`, { expiring_days: 5 });
    assert.equal(update.response.statusCode, 200, update.response.body);
    await assertOneEntry(update.requestId, { action: 'webhook.update', target_type: 'webhook', target_id: id });
    const deleted = await send('POST', `/api/webhook/${id}/delete`);
    assert.equal(deleted.response.statusCode, 200, deleted.response.body);
    await assertOneEntry(deleted.requestId, { action: 'webhook.delete', target_type: 'webhook', target_id: id });
    const refused = await send('POST', '/api/webhook', webhookBody({ url: 'not a url' }));
    assert.equal(refused.response.statusCode, 422);
    assert.deepEqual(await entriesOf(refused.requestId), []);
  });

  it('POST /oauth/revoke records token.revoke with the token row, not the token; a revocation that changes nothing records none', async () => {
    const pair = (await suite.test.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password } })).json();
    const revoke = (token: string, requestId: string) => suite.test.app.inject({
      method: 'POST', url: '/oauth/revoke', payload: { token, client_id: DEMO.clientId, client_secret: DEMO.clientSecret }, headers: { 'x-request-id': requestId },
    });
    assert.equal((await revoke(pair.refresh_token, 'audit-revoke-1')).statusCode, 200);
    const row = await suite.test.app.store.db.selectFrom('refresh_tokens').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await assertOneEntry('audit-revoke-1', { action: 'token.revoke', target_type: 'refresh_token', target_id: row.id, organisation_id: null });
    assert.equal((await revoke(pair.refresh_token, 'audit-revoke-2')).statusCode, 200);
    assert.deepEqual(await entriesOf('audit-revoke-2'), []);
  });

  it('the store refuses to update or delete an entry, and to truncate the trail', async () => {
    const db = suite.test.app.store.db;
    assert.ok((await countEntries()) > 0);
    const before = await db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    await assert.rejects(sql`update audit_log set action = 'job.forged'`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_log`.execute(db), /append-only/);
    await assert.rejects(db.deleteFrom('audit_log').where('id', '=', before[0]?.id as number).execute(), /append-only/);
    if (store === 'postgres') await assert.rejects(sql`truncate audit_log`.execute(db), /append-only/);
    assert.deepEqual(await db.selectFrom('audit_log').selectAll().orderBy('id').execute(), before);
  });
});
