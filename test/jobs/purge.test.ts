import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { auth, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { formFields, freshImage, jobJson, multipartBytes, upload } from '../support/fixtures.ts';
import { runJobspace } from '../support/cli.ts';

for (const store of stores) describe(`jobspace job purge [${store}]`, () => {
  const suite = useTestApp(store);

  /** A job with a logo of these bytes, made as a vendor would. */
  const createWithLogo = async (logo: Buffer, overrides: Record<string, unknown> = {}) => {
    const { body, contentType } = multipartBytes([...formFields(jobJson(overrides)), ['logo', upload(logo)]]);
    const response = await suite.test.app.inject({ method: 'POST', url: '/api/job', payload: body, headers: { ...auth(suite.token), 'content-type': contentType } });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data as { id: number; media: { data: { path: string }[] } };
  };
  const deleteJob = async (id: number) => {
    const response = await suite.test.app.inject({ method: 'POST', url: `/api/job/${id}/delete`, headers: auth(suite.token) });
    assert.equal(response.statusCode, 200, response.body);
  };
  const logoStatus = async (job: { media: { data: { path: string }[] } }) =>
    (await suite.test.app.inject({ url: new URL(job.media.data[0]!.path).pathname })).statusCode;
  const rowsOf = async (table: 'jobs' | 'job_sites' | 'job_media', column: 'id' | 'job_id', ids: number[]) =>
    (await suite.test.app.store.db.selectFrom(table).select(column).where(column, 'in', ids).execute()).length;
  const purge = (...args: string[]) =>
    runJobspace(['job', 'purge', ...args], { DATABASE_URL: suite.test.config.databaseUrl, MEDIA_DIR: suite.test.config.mediaDir });

  it('deletes for good the jobs deleted before the day, with their sites, index and logo rows, and the files no job shows', async () => {
    const shared = freshImage('png');
    const old = await createWithLogo(freshImage('gif'), { skills: 'Zebracrossing' });
    const oldSharing = await createWithLogo(shared);
    const live = await createWithLogo(shared);
    const recent = await createWithLogo(freshImage('webp'));
    for (const job of [old, oldSharing, recent]) await deleteJob(job.id);
    const purged = [old.id, oldSharing.id];
    await suite.test.app.store.db.updateTable('jobs').set({ deleted_at: '2020-06-30T23:59:59.999Z' }).where('id', 'in', purged).execute();
    if (store === 'sqlite') {
      // An index that still held a deleted job (a soft delete removes it already) loses it with the job.
      await sql`insert into jobs_fts_prefix (rowid, title, skills, cells) values (${old.id}, 'Old', 'Zebracrossing', '')`.execute(suite.test.app.store.db);
    }

    const run = await purge('--deleted-before', '2020-07-01');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'purged 2 jobs deleted before 2020-07-01; removed 1 logo file no job shows\n');

    assert.equal(await rowsOf('jobs', 'id', purged), 0);
    assert.equal(await rowsOf('job_sites', 'job_id', purged), 0);
    assert.equal(await rowsOf('job_media', 'job_id', purged), 0);
    assert.equal(await rowsOf('jobs', 'id', [live.id, recent.id]), 2, 'a live job and one deleted since are kept');
    if (store === 'sqlite') {
      const { rows } = await sql`select rowid from jobs_fts_prefix where jobs_fts_prefix match 'zebracrossing'`.execute(suite.test.app.store.db);
      assert.deepEqual(rows, []);
    }
    const read = await suite.test.app.inject({ url: `/api/job/${old.id}`, headers: auth(suite.token) });
    assert.equal(read.statusCode, 404, 'gone for good, no longer 410');
    assert.equal(await logoStatus(old), 404);
    assert.equal(await logoStatus(oldSharing), 200, 'the live job still shows the same file');
    assert.equal(await logoStatus(recent), 200, 'a job deleted since keeps its logo until it is purged');
    const audited = await suite.test.app.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'job.purge').orderBy('target_id').execute();
    assert.deepEqual(
      audited.map(({ source, target_type, target_id, api_client_id, request_id }) => ({ source, target_type, target_id, api_client_id, request_id })),
      purged.sort((a, b) => a - b).map((id) => ({ source: 'operator', target_type: 'job', target_id: id, api_client_id: null, request_id: null })),
      'one audit entry per job purged',
    );
    assert.ok(audited.every((entry) => entry.organisation_id !== null));
  });

  it('purges nothing a second time', async () => {
    const run = await purge('--deleted-before', '2020-07-01');
    assert.equal(run.stdout, 'purged 0 jobs deleted before 2020-07-01; removed 0 logo files no job shows\n');
  });
});
