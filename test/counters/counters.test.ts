import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { applicationJson, createLiveJob, issueBoardToken, postApplication, today } from '../support/applications.ts';

for (const store of stores) describe(`job counters [${store}]`, () => {
  const suite = useTestApp(store);
  const read = (token: string, url: string) => suite.test.app.inject({ url, headers: auth(token) });

  it("counts a board's reads as views, REDIRECT applies as clicks and applications, shown to the vendor as stats", async () => {
    const board = await issueBoardToken(suite.test.app, [1, 2]);
    const jobId = await createLiveJob(suite.test, suite.token, { sites: [1, 2] });
    const redirect = await createLiveJob(suite.test, suite.token, { apply_type: 'REDIRECT', apply_url: 'https://employer.example/a' });
    for (let index = 0; index < 3; index += 1) assert.equal((await read(board, `/api/job/${jobId}`)).statusCode, 200);
    assert.ok(!('stats' in (await read(board, `/api/job/${jobId}`)).json().data), 'a board sees no stats');
    await postApplication(suite.test, board, jobId, applicationJson());
    await postApplication(suite.test, board, jobId, applicationJson());
    await postApplication(suite.test, board, redirect, {});
    await suite.test.app.jobViews.flush();

    const vendorRead = (await read(suite.token, `/api/job/${jobId}`)).json().data;
    assert.deepEqual(vendorRead.stats, { views: 4, apply_clicks: 0, applications: 2 });
    assert.equal(vendorRead.number_applied, 2);
    assert.deepEqual((await read(suite.token, `/api/job/${redirect}`)).json().data.stats, { views: 0, apply_clicks: 1, applications: 0 });
    const list = (await read(suite.token, '/api/job?page[size]=5')).json();
    assert.ok(list.data.every((job: object) => !('stats' in job)), 'lists carry no stats');

    const stats = await read(suite.token, `/api/job/${jobId}/stats`);
    assert.equal(stats.statusCode, 200, stats.body);
    const { data } = stats.json();
    assert.deepEqual(data.totals, { views: 4, apply_clicks: 0, applications: 2 });
    assert.equal(data.to, today());
    assert.deepEqual(data.days, [{ day: today(), site: { id: 1, handle: data.days[0].site.handle }, views: 4, apply_clicks: 0, applications: 2 }]);
    const before = (await read(suite.token, `/api/job/${jobId}/stats?from=2020-01-01&to=2020-01-31`)).json().data;
    assert.deepEqual(before.days, []);
  });

  it('adds up views counted at once, written in one batch', async () => {
    const board = await issueBoardToken(suite.test.app, [1]);
    const jobId = await createLiveJob(suite.test, suite.token);
    await Promise.all(Array.from({ length: 40 }, () => read(board, `/api/job/${jobId}`)));
    await suite.test.app.jobViews.flush();
    assert.equal((await read(suite.token, `/api/job/${jobId}`)).json().data.stats.views, 40);
  });

  it('answers 400 for a range backwards or over a year, 403 to a board and 404 for another tenant or no job', async () => {
    const jobId = await createLiveJob(suite.test, suite.token);
    assert.equal((await read(suite.token, `/api/job/${jobId}/stats?from=2026-02-01&to=2026-01-01`)).statusCode, 400);
    assert.equal((await read(suite.token, `/api/job/${jobId}/stats?from=2024-01-01&to=2026-01-01`)).statusCode, 400);
    assert.equal((await read(await issueBoardToken(suite.test.app), `/api/job/${jobId}/stats`)).statusCode, 403);
    assert.equal((await read(suite.token, '/api/job/1999999999/stats')).statusCode, 404);
  });
});
