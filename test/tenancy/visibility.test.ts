import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/* Jobs on each side of today's boundaries: an open date of today is open, and so is a close date of today. */
const DATES: Record<string, { open_date: string; close_date: string; status: string }> = {
  opensTomorrow: { open_date: day(1), close_date: day(20), status: 'scheduled' },
  opensToday: { open_date: day(0), close_date: day(20), status: 'live' },
  closesToday: { open_date: day(-20), close_date: day(0), status: 'live' },
  closedYesterday: { open_date: day(-20), close_date: day(-1), status: 'expired' },
};

for (const store of stores) describe(`job status: the filter and the resource agree [${store}]`, () => {
  let test: TestApp;
  let token: string;
  const ids: Record<string, number> = {};
  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
    for (const [name, { open_date, close_date }] of Object.entries(DATES)) {
      const response = await test.app.inject({
        method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ open_date, close_date }),
      });
      assert.equal(response.statusCode, 201, response.body);
      ids[name] = response.json().data.id;
    }
  });
  after(() => test.close());

  for (const status of ['live', 'scheduled', 'expired']) {
    it(`GET /api/job?status=${status} lists exactly the jobs whose resource says ${status}`, async () => {
      const response = await test.app.inject({ url: `/api/job?status=${status}`, headers: auth(token) });
      assert.equal(response.statusCode, 200, response.body);
      const listed = response.json().data as { id: number; status: string }[];
      const expected = Object.entries(DATES).filter(([, dates]) => dates.status === status).map(([name]) => ids[name]);
      assert.deepEqual(listed.map((job) => job.id).sort(), expected.sort());
      for (const job of listed) assert.equal(job.status, status);
    });
  }
});
