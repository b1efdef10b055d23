import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, issueToken, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { applicationJson, createLiveJob, issueBoardToken, postApplication } from '../support/applications.ts';
import { addUserToOrganisation, createUser } from '../../src/tenancy/service.ts';

const STRONG_ETAG = /^"[A-Za-z0-9_-]{27}"$/;

for (const store of stores) describe(`conditional requests [${store}]`, () => {
  const suite = useTestApp(store);

  const request = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: Record<string, unknown>, token = suite.token) =>
    suite.test.app.inject({ method, url, headers: { ...auth(token), ...headers }, ...(payload ? { payload } : {}) });
  const createJob = async () => {
    const created = await request('POST', '/api/job', {}, jobJson());
    assert.equal(created.statusCode, 201, created.body);
    return { id: created.json().data.id as number, etag: String(created.headers.etag) };
  };
  const titleOf = async (id: number) => (await request('GET', `/api/job/${id}`)).json().data.job_title;

  describe('GET /api/job/{id}', () => {
    it('carries a strong ETag, the one its create answered with', async () => {
      const { id, etag } = await createJob();
      const read = await request('GET', `/api/job/${id}`);
      assert.match(String(read.headers.etag), STRONG_ETAG);
      assert.equal(read.headers.etag, etag);
    });

    it('answers 304 with the ETag and no body to If-None-Match naming it (weakly too, or among others, or *)', async () => {
      const { id, etag } = await createJob();
      for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const read = await request('GET', `/api/job/${id}`, { 'if-none-match': header });
        assert.equal(read.statusCode, 304, header);
        assert.equal(read.body, '');
        assert.equal(read.headers.etag, etag);
      }
    });

    it('answers 200 with the job to If-None-Match naming a tag it no longer has', async () => {
      const { id, etag } = await createJob();
      const updated = await request('POST', `/api/job/${id}/update`, {}, { name: 'Chief Accountant' });
      assert.notEqual(updated.headers.etag, etag);
      const read = await request('GET', `/api/job/${id}`, { 'if-none-match': etag });
      assert.equal(read.statusCode, 200);
      assert.equal(read.headers.etag, updated.headers.etag);
    });

    it('keeps the ETag while only the counts move: stats are not part of it', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const before = (await request('GET', `/api/job/${jobId}`)).headers.etag;
      const board = await issueBoardToken(suite.test.app);
      assert.equal((await postApplication(suite.test, board, jobId, applicationJson())).statusCode, 201);
      const after = await request('GET', `/api/job/${jobId}`);
      assert.notEqual(after.headers.etag, before, 'number_applied is in the job: its ETag moved');
      await request('GET', `/api/job/${jobId}`, {}, undefined, board);
      assert.equal((await request('GET', `/api/job/${jobId}`)).headers.etag, after.headers.etag);
    });
  });

  describe('POST /api/job/{id}/update with If-Match', () => {
    it('applies the update when the ETag is current, and answers the new ETag', async () => {
      const { id, etag } = await createJob();
      const updated = await request('POST', `/api/job/${id}/update`, { 'if-match': etag }, { name: 'Chief Accountant' });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.match(String(updated.headers.etag), STRONG_ETAG);
      assert.equal((await request('GET', `/api/job/${id}`)).headers.etag, updated.headers.etag);
    });

    it('answers 412 in the envelope, and changes nothing, when the ETag is stale', async () => {
      const { id, etag } = await createJob();
      await request('POST', `/api/job/${id}/update`, {}, { name: 'Chief Accountant' });
      const stale = await request('POST', `/api/job/${id}/update`, { 'if-match': etag }, { name: 'Head Accountant' });
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.json().data.status_code, 412);
      assert.match(stale.json().data.message, /^412 Precondition Failed/);
      assert.equal(await titleOf(id), 'Chief Accountant');
    });

    it('answers 412 to a weak tag, which never matches strongly', async () => {
      const { id, etag } = await createJob();
      assert.equal((await request('POST', `/api/job/${id}/update`, { 'if-match': `W/${etag}` }, { name: 'Chief Accountant' })).statusCode, 412);
    });

    it('applies the update to If-Match: * and to a list naming the current tag', async () => {
      const { id, etag } = await createJob();
      assert.equal((await request('POST', `/api/job/${id}/update`, { 'if-match': `"old", ${etag}` }, { name: 'Chief Accountant' })).statusCode, 200);
      assert.equal((await request('POST', `/api/job/${id}/update`, { 'if-match': '*' }, { name: 'Head Accountant' })).statusCode, 200);
      assert.equal(await titleOf(id), 'Head Accountant');
    });

    it('answers 404 before 412 for a job that is not there, as without the condition', async () => {
      assert.equal((await request('POST', '/api/job/999999/update', { 'if-match': '"x"' }, { name: 'Chief Accountant' })).statusCode, 404);
    });

    it('lets exactly one of two vendors sending the same ETag win; the other gets 412', async () => {
      const { id } = await createJob();
      const username = `second-${store}@example.com`;
      await createUser(suite.test.app.store.db, { username, password: 'a-long-password', name: 'Second Vendor', organisation: 'JDT' });
      const other = await issueToken(suite.test.app, { clientId: 'demo-client', clientSecret: 'demo-client-secret', username, password: 'a-long-password' });
      const mine = String((await request('GET', `/api/job/${id}`)).headers.etag);
      const theirs = String((await request('GET', `/api/job/${id}`, {}, undefined, other)).headers.etag);
      const answers = await Promise.all([
        request('POST', `/api/job/${id}/update`, { 'if-match': mine }, { name: 'Mine' }),
        request('POST', `/api/job/${id}/update`, { 'if-match': theirs }, { name: 'Theirs' }, other),
      ]);
      assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [200, 412], answers.map((answer) => answer.body).join('\n'));
      const winner = answers.find((answer) => answer.statusCode === 200);
      assert.equal(await titleOf(id), winner?.json().data.job_title);
    });
  });

  describe('POST /api/job/{id}/delete with If-Match', () => {
    it('answers 412 to a stale ETag and keeps the job; deletes it with the current one', async () => {
      const { id, etag } = await createJob();
      const updated = await request('POST', `/api/job/${id}/update`, {}, { name: 'Chief Accountant' });
      assert.equal((await request('POST', `/api/job/${id}/delete`, { 'if-match': etag })).statusCode, 412);
      assert.equal((await request('GET', `/api/job/${id}`)).statusCode, 200);
      const deleted = await request('POST', `/api/job/${id}/delete`, { 'if-match': String(updated.headers.etag) });
      assert.equal(deleted.statusCode, 200, deleted.body);
      assert.equal((await request('GET', `/api/job/${id}`)).statusCode, 410);
    });
  });

  describe('GET /api/application/{id}', () => {
    it('carries a strong ETag, answers 304 to If-None-Match naming it, and a new tag once the application changes', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const board = await issueBoardToken(suite.test.app);
      const id = (await postApplication(suite.test, board, jobId, applicationJson())).json().data.id;
      const read = await request('GET', `/api/application/${id}`);
      const etag = String(read.headers.etag);
      assert.match(etag, STRONG_ETAG);
      const unchanged = await request('GET', `/api/application/${id}`, { 'if-none-match': etag });
      assert.equal(unchanged.statusCode, 304);
      assert.equal(unchanged.body, '');
      const updated = await request('POST', `/api/application/${id}/update`, {}, { status: 'reviewed' });
      assert.notEqual(updated.headers.etag, etag);
      const changed = await request('GET', `/api/application/${id}`, { 'if-none-match': etag });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.headers.etag, updated.headers.etag);
    });
  });
});
