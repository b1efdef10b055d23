import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { auth, useTestApp, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { IMAGES, upload } from '../support/fixtures.ts';
import {
  applicationJson, applicationParts, createLiveJob, DOCX, ELF, issueBoardToken, ODT, PDF, PE, postApplication, postApplicationForm, today,
} from '../support/applications.ts';

const SMTP = { SMTP_URL: 'smtp://mail.example:587' };

async function readJob(test: TestApp, token: string, id: number) {
  return (await test.app.inject({ url: `/api/job/${id}`, headers: auth(token) })).json().data;
}

const rows = (test: TestApp, table: 'applications' | 'deliveries' | 'events') => test.app.store.db.selectFrom(table).selectAll().execute();

for (const store of stores) describe(`POST /api/job/{id}/apply [${store}]`, () => {
  const suite = useTestApp(store, SMTP);
  let board: string;
  const boardToken = async () => (board ??= await issueBoardToken(suite.test.app, [1]));

  describe('SIGNUP', () => {
    it('stores the application and answers 201 with it; counts it on the job and records application.created with ids only', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const fields = applicationJson();
      const response = await postApplication(suite.test, await boardToken(), jobId, fields);
      assert.equal(response.statusCode, 201, response.body);
      const { data } = response.json();
      assert.deepEqual(Object.keys(data), [
        'id', 'job_id', 'site', 'first_name', 'last_name', 'email', 'phone', 'cover_letter', 'source', 'status', 'notes', 'cv', 'created_at', 'updated_at',
      ]);
      assert.equal(data.job_id, jobId);
      assert.deepEqual(data.site, { id: 1, handle: data.site.handle });
      assert.equal(data.email, fields.email);
      assert.equal(data.status, 'new');
      assert.equal(data.cv, null);
      assert.deepEqual(Object.keys(data.created_at), ['utc', 'converted', 'formatted']);
      assert.equal((await readJob(suite.test, suite.token, jobId)).number_applied, 1);
      const events = (await rows(suite.test, 'events')).filter((event) => event.type === 'application.created');
      const event = events.find((candidate) => JSON.parse(candidate.data).application_id === data.id);
      assert.ok(event);
      assert.deepEqual(JSON.parse(event.data), { application_id: data.id, job_id: jobId, status: 'new' });
    });

    it('takes multipart with a CV told by its bytes: a PDF named .exe is application/pdf', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await postApplicationForm(suite.test, await boardToken(), jobId, [
        ...applicationParts({ consent: 'on' }),
        ['cv', upload(PDF, 'my cv.exe', 'application/x-msdownload')],
      ]);
      assert.equal(response.statusCode, 201, response.body);
      const { cv } = response.json().data;
      assert.equal(cv.content_type, 'application/pdf');
      assert.equal(cv.filename, 'my cv.pdf');
      assert.equal(cv.size, PDF.length);
      assert.match(cv.links.self, /^http:\/\/jobs\.test\/api\/application\/\d+\/cv$/);
    });

    for (const [type, data] of [['docx', DOCX], ['odt', ODT], ['txt', Buffer.from('Ada Candidate\nAccountant\n')]] as const) {
      it(`takes a ${type} CV`, async () => {
        const jobId = await createLiveJob(suite.test, suite.token);
        const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', upload(data, 'cv.bin')]]);
        assert.equal(response.statusCode, 201, response.body);
        assert.equal(response.json().data.cv.filename, `cv.${type}`);
      });
    }

    it('takes a urlencoded form and a JSON CV as base64 with its filename', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const form = new URLSearchParams(applicationParts({ consent: 'yes' })).toString();
      const formResponse = await suite.test.app.inject({
        method: 'POST', url: `/api/job/${jobId}/apply`, payload: form,
        headers: { ...auth(await boardToken()), 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(formResponse.statusCode, 201, formResponse.body);
      const json = await postApplication(suite.test, await boardToken(), jobId, applicationJson({ cv_content: PDF.toString('base64'), cv_filename: 'cv.pdf' }));
      assert.equal(json.statusCode, 201, json.body);
      assert.equal(json.json().data.cv.content_type, 'application/pdf');
    });

    it('answers under /admin/api too', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await suite.test.app.inject({ method: 'POST', url: `/admin/api/job/${jobId}/apply`, headers: auth(await boardToken()), payload: applicationJson() });
      assert.equal(response.statusCode, 201, response.body);
    });
  });

  describe('SIGNUP_WITHPOST', () => {
    it("queues the application for the job's apply_url in the same transaction, with a CV link that expires", async () => {
      const applyUrl = 'https://ats.example/inbox';
      const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'SIGNUP_WITHPOST', apply_url: applyUrl });
      const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', upload(PDF, 'cv.pdf')]]);
      assert.equal(response.statusCode, 201, response.body);
      const { id } = response.json().data;
      const delivery = (await rows(suite.test, 'deliveries')).find((row) => row.application_id === id);
      assert.ok(delivery);
      assert.equal(delivery.kind, 'application_post');
      assert.equal(delivery.target, applyUrl);
      assert.equal(delivery.status, 'pending');
      const payload = JSON.parse(delivery.payload);
      assert.equal(payload.application.id, id);
      assert.equal(payload.job.id, jobId);
      assert.equal(payload.application.cv.content_type, 'application/pdf');
      assert.ok(Date.parse(payload.application.cv.expires_at) > Date.now());

      const link = new URL(payload.application.cv.url);
      const fetched = await suite.test.app.inject({ url: `${link.pathname}${link.search}` });
      assert.equal(fetched.statusCode, 200, fetched.body);
      assert.deepEqual(fetched.rawPayload, PDF);
      assert.equal(fetched.headers['content-type'], 'application/pdf');
      const tampered = new URL(link);
      tampered.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 1));
      assert.equal((await suite.test.app.inject({ url: `${tampered.pathname}${tampered.search}` })).statusCode, 404);
      const otherId = link.pathname.replace(`/${id}/`, `/${id + 1000}/`);
      assert.equal((await suite.test.app.inject({ url: `${otherId}${link.search}` })).statusCode, 404);
    });
  });

  describe('EMAIL', () => {
    it("queues an e-mail to the job's address with the CV's storage key to attach", async () => {
      const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'EMAIL', apply_url: 'jobs@employer.example' });
      const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts({ first_name: 'Grace' }), ['cv', upload(PDF, 'cv.pdf')]]);
      assert.equal(response.statusCode, 201, response.body);
      const { id } = response.json().data;
      const delivery = (await rows(suite.test, 'deliveries')).find((row) => row.application_id === id);
      assert.ok(delivery);
      assert.equal(delivery.kind, 'application_email');
      assert.equal(delivery.target, 'jobs@employer.example');
      const payload = JSON.parse(delivery.payload);
      assert.match(payload.subject, /Grace Candidate/);
      assert.match(payload.text, /I keep excellent books\./);
      assert.equal(payload.attachment.filename, 'cv.pdf');
      assert.equal(payload.attachment.contentType, 'application/pdf');
      assert.match(payload.replyTo, /^ada\.candidate\./);
      const stored = await suite.test.app.applications.files.get(payload.attachment.storageKey);
      assert.deepEqual(stored, PDF);
    });
  });

  describe('REDIRECT', () => {
    it("answers 303 to the job's apply_url, stores nothing and counts an apply click", async () => {
      const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'REDIRECT', apply_url: 'https://employer.example/apply?job=7' });
      const before = (await rows(suite.test, 'applications')).length;
      const response = await postApplication(suite.test, await boardToken(), jobId, {});
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, 'https://employer.example/apply?job=7');
      assert.equal((await rows(suite.test, 'applications')).length, before);
      const counters = await suite.test.app.store.db.selectFrom('job_counters').selectAll().where('job_id', '=', jobId).execute();
      assert.deepEqual(counters.map(({ site_id, day, views, apply_clicks, applications }) => ({ site_id, day, views, apply_clicks, applications })), [
        { site_id: 1, day: today(), views: 0, apply_clicks: 1, applications: 0 },
      ]);
    });
  });

  describe('refusals', () => {
    it('answers 422 naming every missing field', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await postApplication(suite.test, await boardToken(), jobId, {});
      assert.equal(response.statusCode, 422);
      assert.deepEqual(response.json(), {
        data: {
          message: '422 Unprocessable Entity',
          status_code: 422,
          errors: {
            first_name: ['The first name field is required.'],
            last_name: ['The last name field is required.'],
            email: ['The email field is required.'],
            consent: ['The consent field is required.'],
          },
        },
      });
    });

    it('answers 422 naming every invalid field', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await postApplication(suite.test, await boardToken(), jobId, applicationJson({
        email: 'not-an-address', cover_letter: 'x'.repeat(10_001), consent: 'no', phone: '1'.repeat(51), source: 's'.repeat(101),
        cv_content: 'not base64!',
      }));
      assert.equal(response.statusCode, 422);
      assert.deepEqual(response.json().data.errors, {
        email: ['The email must be a valid email address.'],
        phone: ['The phone may not be greater than 50 characters.'],
        cover_letter: ['The cover letter may not be greater than 10000 characters.'],
        source: ['The source may not be greater than 100 characters.'],
        cv_filename: ['The cv filename field is required when cv content is present.'],
        cv_content: ['The cv content must be a base64 encoded file.'],
        consent: ['The consent must be accepted.'],
      });
    });

    for (const [what, data] of [['an ELF executable', ELF], ['a PE executable', PE], ['a PNG', IMAGES.png]] as const) {
      it(`answers 422 for ${what} named cv.pdf and declared application/pdf`, async () => {
        const jobId = await createLiveJob(suite.test, suite.token);
        const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', upload(data, 'cv.pdf', 'application/pdf')]]);
        assert.equal(response.statusCode, 422, response.body);
        assert.deepEqual(response.json().data.errors, { cv: ['The cv must be a file of type: pdf, doc, docx, odt, rtf, txt.'] });
      });
    }

    it('answers 422 for a cv sent as text', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', 'just text']]);
      assert.deepEqual(response.json().data.errors, { cv: ['The cv must be a file.'] });
    });

    it('answers 413 in the envelope for a CV past 5 MB, as a file or as base64, and stores nothing', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const large = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024 + 1 - PDF.length, 0x20)]);
      const before = (await rows(suite.test, 'applications')).length;
      const asFile = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', upload(large, 'cv.pdf')]]);
      assert.equal(asFile.statusCode, 413, asFile.body);
      assert.equal(asFile.json().data.status_code, 413);
      const asJson = await postApplication(suite.test, await boardToken(), jobId, applicationJson({ cv_content: large.toString('base64'), cv_filename: 'cv.pdf' }));
      assert.equal(asJson.statusCode, 413, asJson.body);
      assert.equal((await rows(suite.test, 'applications')).length, before);
      const exact = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024 - PDF.length, 0x20)]);
      const atLimit = await postApplicationForm(suite.test, await boardToken(), jobId, [...applicationParts(), ['cv', upload(exact, 'cv.pdf')]]);
      assert.equal(atLimit.statusCode, 201, atLimit.body);
    });

    it('answers 422 for the same e-mail twice for one job, whatever its case, and counts one', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const first = await postApplication(suite.test, await boardToken(), jobId, applicationJson({ email: 'Twice@Example.com' }));
      assert.equal(first.statusCode, 201, first.body);
      const again = await postApplication(suite.test, await boardToken(), jobId, applicationJson({ email: 'twice@example.COM' }));
      assert.equal(again.statusCode, 422);
      assert.deepEqual(again.json().data.errors, { email: ['You have already applied for this job.'] });
      assert.equal((await readJob(suite.test, suite.token, jobId)).number_applied, 1);
      const elsewhere = await createLiveJob(suite.test, suite.token);
      assert.equal((await postApplication(suite.test, await boardToken(), elsewhere, applicationJson({ email: 'twice@example.com' }))).statusCode, 201);
    });

    it('answers 403 in the envelope to a vendor token', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const response = await postApplication(suite.test, suite.token, jobId, applicationJson());
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().data.status_code, 403);
    });

    it("answers 404 for a job not on the board's sites or not open yet, and 410 once expired or deleted", async () => {
      const token = await boardToken();
      const elsewhere = await createLiveJob(suite.test, suite.token, { sites: [2] });
      assert.equal((await postApplication(suite.test, token, elsewhere, applicationJson())).statusCode, 404);
      assert.equal((await postApplication(suite.test, token, 1_999_999_999, applicationJson())).statusCode, 404);
      const scheduled = await createLiveJob(suite.test, suite.token, { open_date: '2099-01-01' });
      assert.equal((await postApplication(suite.test, token, scheduled, applicationJson())).statusCode, 404);
      const expired = await createLiveJob(suite.test, suite.token, { open_date: '2020-01-01', close_date: '2020-02-01' });
      assert.equal((await postApplication(suite.test, token, expired, applicationJson())).statusCode, 410);
      const deleted = await createLiveJob(suite.test, suite.token);
      await suite.test.app.inject({ method: 'POST', url: `/api/job/${deleted}/delete`, headers: auth(suite.token) });
      const gone = await postApplication(suite.test, token, deleted, applicationJson());
      assert.equal(gone.statusCode, 410);
      assert.equal(gone.json().data.status_code, 410);
    });
  });

  it('counts number_applied exactly for 50 concurrent applies over real HTTP', async () => {
    const jobId = await createLiveJob(suite.test, suite.token);
    const token = await boardToken();
    await suite.test.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = suite.test.app.server.address() as AddressInfo;
    const answers = await Promise.all(Array.from({ length: 50 }, () =>
      fetch(`http://127.0.0.1:${port}/api/job/${jobId}/apply`, {
        method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify(applicationJson()),
      }).then((response) => response.status)));
    assert.deepEqual(answers, Array(50).fill(201));
    assert.equal((await readJob(suite.test, suite.token, jobId)).number_applied, 50);
    const stored = (await rows(suite.test, 'applications')).filter((row) => row.job_id === jobId);
    assert.equal(stored.length, 50);
  });
});

for (const store of stores) describe(`POST /api/job/{id}/apply without SMTP_URL [${store}]`, () => {
  const suite = useTestApp(store);
  it('answers 503 in the envelope for an EMAIL job, and stores nothing', async () => {
    const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'EMAIL', apply_url: 'jobs@employer.example' });
    const response = await postApplication(suite.test, await issueBoardToken(suite.test.app), jobId, applicationJson());
    assert.equal(response.statusCode, 503, response.body);
    assert.match(response.json().data.message, /SMTP_URL/);
    assert.equal((await rows(suite.test, 'applications')).length, 0);
    assert.equal((await rows(suite.test, 'deliveries')).length, 0);
  });
});

for (const store of stores) describe(`POST /api/job/{id}/apply with APPLICATION_CV_INLINE=on [${store}]`, () => {
  const suite = useTestApp(store, { APPLICATION_CV_INLINE: 'on' });
  it('queues a SIGNUP_WITHPOST delivery carrying the CV itself, as base64', async () => {
    const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'SIGNUP_WITHPOST', apply_url: 'https://ats.example/inbox' });
    const response = await postApplicationForm(suite.test, await issueBoardToken(suite.test.app), jobId, [...applicationParts(), ['cv', upload(PDF, 'cv.pdf')]]);
    assert.equal(response.statusCode, 201, response.body);
    const [delivery] = await rows(suite.test, 'deliveries');
    const { cv } = JSON.parse(delivery!.payload).application;
    assert.deepEqual(Buffer.from(cv.content, 'base64'), PDF);
    assert.equal(cv.url, undefined);
  });
});
