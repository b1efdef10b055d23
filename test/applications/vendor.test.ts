import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, createTenant, issueToken, useTestApp, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { upload } from '../support/fixtures.ts';
import { applicationJson, applicationParts, createLiveJob, issueBoardToken, PDF, postApplication, postApplicationForm } from '../support/applications.ts';
import { sweepApplications } from '../../src/applications/retention.ts';

const get = (test: TestApp, token: string, url: string) => test.app.inject({ url, headers: auth(token) });
const post = (test: TestApp, token: string, url: string, payload: Record<string, unknown> = {}) =>
  test.app.inject({ method: 'POST', url, headers: auth(token), payload });

for (const store of stores) describe(`applications for the vendor [${store}]`, () => {
  const suite = useTestApp(store, { SMTP_URL: 'smtp://mail.example:587' });
  let board: string;
  const boardToken = async () => (board ??= await issueBoardToken(suite.test.app, [1]));
  const apply = async (jobId: number, overrides: Record<string, unknown> = {}) => {
    const response = await postApplication(suite.test, await boardToken(), jobId, applicationJson(overrides));
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data;
  };
  const applyWithCv = async (jobId: number, filename = 'cv.pdf', overrides: Record<string, unknown> = {}) => {
    const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(overrides), ['cv', upload(PDF, filename)]]);
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data;
  };

  describe('GET /api/job/{id}/applications', () => {
    it('lists newest first with the contract pagination, filtered by status and creation dates', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const made = [];
      for (let index = 0; index < 5; index += 1) made.push(await apply(jobId));
      const { db } = suite.test.app.store;
      await db.updateTable('applications').set({ created_at: '2026-03-10T12:00:00.000Z' }).where('id', '=', made[0].id).execute();
      await db.updateTable('applications').set({ created_at: '2026-03-11T23:59:59.000Z' }).where('id', '=', made[1].id).execute();
      await post(suite.test, suite.token, `/api/application/${made[2].id}/update`, { status: 'shortlisted' });

      const first = (await get(suite.test, suite.token, `/api/job/${jobId}/applications?page[size]=2`)).json();
      assert.deepEqual(first.data.map((item: { id: number }) => item.id), [made[4].id, made[3].id]);
      assert.equal(first.meta.pagination.total, 5);
      assert.equal(first.meta.pagination.total_pages, 3);
      assert.equal(first.meta.pagination.count, 2);
      assert.match(first.meta.pagination.links.next, /page%5Bnumber%5D=2/);
      const last = (await get(suite.test, suite.token, `/api/job/${jobId}/applications?page[size]=2&page[number]=3`)).json();
      assert.deepEqual(last.data.map((item: { id: number }) => item.id), [made[0].id]);

      const shortlisted = (await get(suite.test, suite.token, `/api/job/${jobId}/applications?status=shortlisted`)).json();
      assert.deepEqual(shortlisted.data.map((item: { id: number }) => item.id), [made[2].id]);
      const march = (await get(suite.test, suite.token, `/api/job/${jobId}/applications?created_from=2026-03-10&created_to=2026-03-11`)).json();
      assert.deepEqual(march.data.map((item: { id: number }) => item.id), [made[1].id, made[0].id]);
      const tenth = (await get(suite.test, suite.token, `/api/job/${jobId}/applications?created_to=2026-03-10`)).json();
      assert.deepEqual(tenth.data.map((item: { id: number }) => item.id), [made[0].id]);
      assert.equal((await get(suite.test, suite.token, `/api/job/${jobId}/applications?status=lost`)).statusCode, 400);
      assert.equal((await get(suite.test, suite.token, `/api/job/${jobId}/applications?created_from=10-03-2026`)).statusCode, 400);
    });

    it('answers 403 to a board and 404 for a job of another organisation', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      assert.equal((await get(suite.test, await boardToken(), `/api/job/${jobId}/applications`)).statusCode, 403);
      const other = await issueToken(suite.test.app, await createTenant(suite.test.app));
      assert.equal((await get(suite.test, other, `/api/job/${jobId}/applications`)).statusCode, 404);
    });
  });

  describe('GET /api/application/{id} and its CV', () => {
    it('answers the application, and its CV as an attachment with a safely encoded name', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const made = await applyWithCv(jobId, 'Zoë CV (final).exe');
      const read = await get(suite.test, suite.token, `/api/application/${made.id}`);
      assert.equal(read.statusCode, 200);
      const withoutDates = ({ created_at: _created, updated_at: _updated, ...rest }: Record<string, unknown>) => rest;
      // Dates are in each caller's zone: the board's default, the vendor user's America/New_York.
      assert.deepEqual(withoutDates(read.json().data), withoutDates(made));
      assert.equal(read.json().data.created_at.utc, made.created_at.utc);
      const cv = await get(suite.test, suite.token, `/api/application/${made.id}/cv`);
      assert.equal(cv.statusCode, 200);
      assert.deepEqual(cv.rawPayload, PDF);
      assert.equal(cv.headers['content-type'], 'application/pdf');
      assert.equal(cv.headers['x-content-type-options'], 'nosniff');
      assert.equal(cv.headers['content-disposition'], `attachment; filename="Zo_ CV (final).pdf"; filename*=UTF-8''Zo%C3%AB%20CV%20%28final%29.pdf`);
    });

    it('answers 404 for the CV of an application without one, and for another organisation\'s application', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const made = await apply(jobId);
      assert.equal((await get(suite.test, suite.token, `/api/application/${made.id}/cv`)).statusCode, 404);
      const other = await issueToken(suite.test.app, await createTenant(suite.test.app));
      const foreign = await get(suite.test, other, `/api/application/${made.id}`);
      const unknown = await get(suite.test, other, '/api/application/1999999999');
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.body, unknown.body);
    });
  });

  describe('POST /api/application/{id}/update', () => {
    it('changes status and notes and records application.updated with ids and status only', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const made = await apply(jobId);
      const response = await post(suite.test, suite.token, `/api/application/${made.id}/update`, { status: 'interviewing', notes: 'Strong on IFRS.' });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().data.status, 'interviewing');
      assert.equal(response.json().data.notes, 'Strong on IFRS.');
      const events = await suite.test.app.store.db.selectFrom('events').selectAll().where('type', '=', 'application.updated').execute();
      assert.ok(events.some((event) => event.data === JSON.stringify({ application_id: made.id, job_id: jobId, status: 'interviewing' })));
      const notesOnly = await post(suite.test, suite.token, `/api/application/${made.id}/update`, { notes: '' });
      assert.equal(notesOnly.json().data.status, 'interviewing', 'a field not sent is kept');
      assert.equal(notesOnly.json().data.notes, null);
    });

    it('answers 422 naming a bad status and notes too long', async () => {
      const made = await apply(await createLiveJob(suite.test, suite.token));
      const response = await post(suite.test, suite.token, `/api/application/${made.id}/update`, { status: 'lost', notes: 'n'.repeat(10_001) });
      assert.equal(response.statusCode, 422);
      assert.deepEqual(response.json().data.errors, {
        status: ['The selected status is invalid.'],
        notes: ['The notes may not be greater than 10000 characters.'],
      });
    });
  });

  describe('POST /api/application/{id}/delete', () => {
    it('erases: no personal data left in any table or file, deliveries cancelled, counts kept; then 410', async () => {
      const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'EMAIL', apply_url: 'hr@employer.example' });
      const person = { first_name: 'Hypatia', last_name: 'Erasable', email: 'hypatia.erasable@example.com', phone: '+44 7700 900123' };
      const made = await applyWithCv(jobId, 'Hypatia-Erasable-CV.pdf', person);
      await post(suite.test, suite.token, `/api/application/${made.id}/update`, { notes: 'Call Hypatia back' });
      const filesBefore = readdirSync(suite.test.config.applications.filesDir);
      assert.equal(filesBefore.length > 0, true);

      const response = await post(suite.test, suite.token, `/api/application/${made.id}/delete`);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { data: { acknowledged: true } });

      const { db } = suite.test.app.store;
      for (const table of ['applications', 'deliveries', 'events'] as const) {
        const text = JSON.stringify(await db.selectFrom(table).selectAll().execute());
        for (const value of [...Object.values(person), 'Hypatia', 'Erasable']) assert.ok(!text.includes(value), `${table} still holds ${value}`);
      }
      if (store === 'sqlite') {
        // The file itself, its log folded in: free pages would still hold the erased text but for secure_delete.
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
        const file = readFileSync(suite.test.config.databaseUrl.slice('sqlite:'.length));
        for (const value of [person.email, person.phone, 'Hypatia']) assert.ok(!file.includes(value), `the store's file still holds ${value}`);
      }
      const delivery = await db.selectFrom('deliveries').selectAll().where('application_id', '=', made.id).executeTakeFirstOrThrow();
      assert.equal(delivery.status, 'cancelled');
      assert.equal(delivery.payload, '{}');
      const key = (await db.selectFrom('applications').select(['cv_storage_key', 'erased_at']).where('id', '=', made.id).executeTakeFirstOrThrow());
      assert.equal(key.cv_storage_key, null);
      assert.ok(key.erased_at);
      assert.equal(readdirSync(suite.test.config.applications.filesDir).length, filesBefore.length - 1);

      for (const url of [`/api/application/${made.id}`, `/api/application/${made.id}/cv`]) {
        assert.equal((await get(suite.test, suite.token, url)).statusCode, 410);
      }
      assert.equal((await post(suite.test, suite.token, `/api/application/${made.id}/delete`)).statusCode, 410);
      assert.equal((await post(suite.test, suite.token, `/api/application/${made.id}/update`, { status: 'hired' })).statusCode, 410);
      const job = (await get(suite.test, suite.token, `/api/job/${jobId}`)).json().data;
      assert.equal(job.number_applied, 1, 'counts stay');
      const list = (await get(suite.test, suite.token, `/api/job/${jobId}/applications`)).json();
      assert.equal(list.meta.pagination.total, 0, 'an erased application is not listed');
    });
  });

  describe('the retention sweep', () => {
    it('erases applications older than APPLICATION_RETENTION_DAYS (365) and their CVs, and removes CV files no application names', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const old = await applyWithCv(jobId);
      const recent = await apply(jobId);
      const { db } = suite.test.app.store;
      const now = Date.now();
      await db.updateTable('applications').set({ created_at: new Date(now - 366 * 86_400_000).toISOString() }).where('id', '=', old.id).execute();
      const stray = 'f'.repeat(48);
      await suite.test.app.applications.files.put(stray, Buffer.from('left by a crash'));

      const outcome = await sweepApplications(suite.test.app.applications, now + 2 * 60 * 60 * 1000);
      assert.ok(outcome.erased >= 1);
      assert.equal((await get(suite.test, suite.token, `/api/application/${old.id}`)).statusCode, 410);
      assert.equal((await get(suite.test, suite.token, `/api/application/${recent.id}`)).statusCode, 200);
      assert.equal(await suite.test.app.applications.files.get(stray), undefined);
      // A second sweep, as another worker's running at once would, finds nothing more to do.
      assert.equal((await sweepApplications(suite.test.app.applications, now)).erased, 0);
    });
  });
});
