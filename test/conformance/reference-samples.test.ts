import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, passwordGrantFor, type TestApp } from '../support/app.ts';
import { R1_CREATE_FIELDS, R1_UPDATE_FIELDS } from '../support/fixtures.ts';
import { stores } from '../support/stores.ts';
import { samples, type SampleRequest } from './samples/samples.ts';

/*
 * The reference's samples of Appendix A, each sent as its language prints
 * it (only host and credentials change), against a listening server.
 */
for (const store of stores) for (const sample of samples) {
  // On a machine without the sample's language it is skipped, saying so; in CI it must run.
  const skip = sample.missing && process.env.CI !== 'true' ? sample.missing : false;
  describe(`The reference's ${sample.name} samples [${store}]`, { skip }, () => {
    let test: TestApp;
    let base: string;
    let token: string;
    let jobId: number;

    before(async () => {
      test = await buildTestApp(store);
      base = await test.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => test.close());

    const apiHeaders = (): [string, string][] => [
      ['accept', 'application/vnd.jb.v1+json'],
      ['authorization', `Bearer ${token}`],
      ['cache-control', 'no-cache'],
    ];
    const send = (request: SampleRequest) => sample.send(base, request);

    it('POST /oauth/token answers a token', async () => {
      const response = await send({
        method: 'POST',
        path: '/oauth/token',
        headers: [['cache-control', 'no-cache']],
        fields: Object.entries(passwordGrantFor()),
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.token_type, 'Bearer');
      token = response.body.access_token;
    });

    it('POST /api/job creates the job with every field of the sample', async () => {
      const response = await send({ method: 'POST', path: '/api/job', headers: apiHeaders(), fields: R1_CREATE_FIELDS });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const job = response.body.data;
      jobId = job.id;
      assert.equal(job.reference, 'JDT/1234');
      assert.equal(job.description, 'The jobs description');
      assert.equal(job.address.sub_premise, 'Example Area');
      assert.equal(job.location.display, 'Sheffield, South Yorkshire');
      assert.deepEqual(job.sites.data.map((site: { id: number }) => site.id), [1, 2]);
    });

    it('GET /api/job and GET /api/job/{id} find it', async () => {
      const list = await send({ method: 'GET', path: '/api/job', headers: apiHeaders(), fields: null });
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data.map((job: { id: number }) => job.id), [jobId]);
      const read = await send({ method: 'GET', path: `/api/job/${jobId}`, headers: apiHeaders(), fields: null });
      assert.equal(read.status, 200);
      assert.equal(read.body.data.id, jobId);
    });

    it('POST /api/job/{id}/update applies the DD-MM-YYYY dates (the shell sample with its doubled slash)', async () => {
      const path = sample.name.includes('shell') ? `//api/job/${jobId}/update` : `/api/job/${jobId}/update`;
      const fields = R1_UPDATE_FIELDS.map(([name, value]): [string, string] => [name, name === 'name' ? 'New Title' : value]);
      const response = await send({ method: 'POST', path, headers: apiHeaders(), fields });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.data.job_title, 'New Title');
      assert.equal(response.body.data.close_date.utc, '2018-02-01T00:00:00+00:00');
    });

    it('GET the three look-ups', async () => {
      for (const path of ['/api/address/country', '/api/job/type', '/api/job/category']) {
        const response = await send({ method: 'GET', path, headers: apiHeaders(), fields: null });
        assert.equal(response.status, 200, path);
        assert.ok(response.body.data.length > 0, path);
      }
    });
  });
}
