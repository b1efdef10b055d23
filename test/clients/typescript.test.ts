import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createJobSpaceClient, type components, type JobSpaceClient } from '../../clients/typescript/index.ts';
import { SCHEMA_FILE, schemaSource, serverDocument } from '../../clients/typescript/generate.ts';
import { buildTestApp, DEMO, type TestApp } from '../support/app.ts';
import { applicationJson, issueBoardToken, today } from '../support/applications.ts';
import { stores } from '../support/stores.ts';

/* The typed client of clients/typescript: generated from this server's document, and used against it over HTTP. */

describe('clients/typescript/schema.d.ts', () => {
  it("is what openapi-typescript makes of the current GET /openapi.json (else run npm run client:generate)", async () => {
    const generated = (await schemaSource(await serverDocument())).split('\n');
    const committed = readFileSync(SCHEMA_FILE, 'utf8').split('\n');
    const firstDifference = generated.findIndex((line, index) => line !== committed[index]);
    const at = firstDifference === -1 ? Math.min(generated.length, committed.length) : firstDifference;
    assert.ok(
      generated.length === committed.length && firstDifference === -1,
      `schema.d.ts is stale from line ${at + 1}: generated ${JSON.stringify(generated[at])}, committed ${JSON.stringify(committed[at])}; run npm run client:generate`,
    );
  });
});

describe('clients/typescript/README.md', () => {
  it('shows example.ts as it is, which tsc type-checks with the project', () => {
    const readme = readFileSync(new URL('../../clients/typescript/README.md', import.meta.url), 'utf8');
    const shown = readme.match(/^```ts\n([^]*?)^```$/m)?.[1];
    assert.equal(shown, readFileSync(new URL('../../clients/typescript/example.ts', import.meta.url), 'utf8'));
  });
});

type CreateJobBody = components['schemas']['CreateJobRequest'];

/** A live job's body (open today), typed as the document's create request. */
const liveJob = (reference: string): CreateJobBody => ({
  organisation: 'JDT',
  job_category: 'ACCOUNTS_MANAGER',
  job_type: 'perm_fulltime',
  reference,
  name: 'Senior Accountant',
  description: '<p>Keep the <b>books</b> of a growing firm.</p>',
  open_date: today(),
  close_date: '2099-12-31',
  country: 'GB',
  premise: '1 Example Road',
  main_area: 'Sheffield',
  salary_frequency: 'ANNUALLY',
  salary_currency: 'GBP',
  salary_from: 30000,
  salary_to: 40000,
  salary_text: '£30k to £40k',
  apply_type: 'SIGNUP',
  sites: [1],
});

for (const store of stores) {
  describe(`createJobSpaceClient against a running server (${store})`, () => {
    let test: TestApp;
    let baseUrl: string;
    let vendor: JobSpaceClient;
    let jobId: number;
    before(async () => {
      test = await buildTestApp(store);
      await test.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(test.app.server.address() as AddressInfo).port}`;
    });
    after(() => test.close());

    it('POST /oauth/token: a password grant sent as JSON answers a bearer token', async () => {
      const { data, error, response } = await createJobSpaceClient({ baseUrl }).POST('/oauth/token', {
        body: { grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password },
      });
      assert.equal(response.status, 200, JSON.stringify(error));
      assert.equal(data?.token_type, 'Bearer');
      assert.ok(data.access_token.length > 0);
      vendor = createJobSpaceClient({ baseUrl, token: data.access_token });
    });

    it('POST /api/job: creates a job from a typed JSON body, answered in the v1 envelope', async () => {
      const { data, error, response } = await vendor.POST('/api/job', { body: liveJob(`CLIENT-${store}`) });
      assert.equal(response.status, 201, JSON.stringify(error));
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.ok(data);
      assert.equal(data.data.reference, `CLIENT-${store}`);
      assert.equal(data.data.job_title, 'Senior Accountant');
      assert.equal(data.data.status, 'live');
      jobId = data.data.id;
    });

    it('GET /api/job/{id}: reads the job by a typed path parameter', async () => {
      const { data, error, response } = await vendor.GET('/api/job/{id}', { params: { path: { id: jobId } } });
      assert.equal(response.status, 200, JSON.stringify(error));
      assert.equal(data?.data.id, jobId);
      assert.equal(data.data.category.data.handle, 'ACCOUNTS_MANAGER');
    });

    it('GET /api/job: lists the job with typed query parameters and pagination', async () => {
      const { data, error, response } = await vendor.GET('/api/job', { params: { query: { organisation: 'JDT', 'page[size]': 5 } } });
      assert.equal(response.status, 200, JSON.stringify(error));
      assert.ok(data);
      assert.ok(data.data.some((job) => job.id === jobId));
      assert.equal(data.meta.pagination.per_page, 5);
    });

    it('POST /api/job/{id}/update: changes one field of the job', async () => {
      const { data, error, response } = await vendor.POST('/api/job/{id}/update', { params: { path: { id: jobId } }, body: { name: 'Chief Accountant' } });
      assert.equal(response.status, 200, JSON.stringify(error));
      assert.equal(data?.data.job_title, 'Chief Accountant');
      assert.equal(data.data.reference, `CLIENT-${store}`);
    });

    it('POST /api/job/{id}/apply and GET /api/job/{id}/applications: a board applies, the vendor lists the application', async () => {
      const board = createJobSpaceClient({ baseUrl, token: await issueBoardToken(test.app) });
      const candidate = applicationJson() as { first_name: string; last_name: string; email: string };
      const applied = await board.POST('/api/job/{id}/apply', {
        params: { path: { id: jobId } },
        body: { first_name: candidate.first_name, last_name: candidate.last_name, email: candidate.email, consent: true },
      });
      assert.equal(applied.response.status, 201, JSON.stringify(applied.error));
      assert.equal(applied.data?.data.job_id, jobId);
      assert.equal(applied.data.data.status, 'new');

      const listed = await vendor.GET('/api/job/{id}/applications', { params: { path: { id: jobId } } });
      assert.equal(listed.response.status, 200, JSON.stringify(listed.error));
      assert.deepEqual(listed.data?.data.map((application) => [application.id, application.email]), [[applied.data.data.id, candidate.email]]);
    });

    it('sends the v1 Accept and the bearer token on every request', async () => {
      const sent: Request[] = [];
      const recording = createJobSpaceClient({ baseUrl, token: 'a-token', fetch: async (request) => { sent.push(request as Request); return fetch(request); } });
      await recording.GET('/api/job/{id}', { params: { path: { id: jobId } } });
      assert.equal(sent[0]?.headers.get('accept'), 'application/vnd.jb.v1+json');
      assert.equal(sent[0]?.headers.get('authorization'), 'Bearer a-token');
    });

    it('answers what the types refuse with the error envelope: no such path, a path parameter wrong or left out (404), a required field left out (422)', async () => {
      // @ts-expect-error the document has no such path
      const unknownPath = await vendor.GET('/api/jobz');
      assert.equal(unknownPath.response.status, 404);
      // @ts-expect-error id is an integer
      const wrongId = await vendor.GET('/api/job/{id}', { params: { path: { id: 'seven' } } });
      assert.equal(wrongId.response.status, 404);
      // @ts-expect-error the path parameter is required
      const noId = await vendor.GET('/api/job/{id}');
      assert.equal(noId.response.status, 404);

      const { name: _name, ...withoutName } = liveJob(`CLIENT-${store}-2`);
      // @ts-expect-error name is required by the create request
      const missingName = await vendor.POST('/api/job', { body: withoutName });
      assert.equal(missingName.response.status, 422);
      assert.ok(missingName.error?.data.errors?.name, JSON.stringify(missingName.error));
    });
  });
}
