import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';

/*
 * A list's total and facets are kept per filter; they must still follow a
 * write made by another process. On SQLite the store says so (data_version);
 * PostgreSQL has no such signal and its counts may lag by the cache's time to
 * live (docs/search.md), so this pins SQLite only.
 */
describe('list counts after another process writes [sqlite]', () => {
  let test: TestApp;
  let otherProcess: Store;
  let token: string;

  before(async () => {
    test = await buildTestApp('sqlite');
    otherProcess = openStore(test.config.databaseUrl);
    token = await issueToken(test.app);
    for (const name of ['Night Porter', 'Day Porter']) {
      const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ name }) });
      assert.equal(response.statusCode, 201, response.body);
    }
  });
  after(async () => {
    await otherProcess.db.destroy();
    await test.close();
  });

  const list = async () => {
    const response = await test.app.inject({ url: '/api/job', headers: auth(token) });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    return { total: body.meta.pagination.total, countries: body.meta.aggregations['location.country.iso'] };
  };

  it('counts again once another connection has committed', async () => {
    assert.equal((await list()).total, 2);
    assert.equal((await list()).total, 2, 'counted from the cache');
    await sql`update jobs set deleted_at = ${new Date().toISOString()} where id = (select max(id) from jobs)`.execute(otherProcess.db);
    const after = await list();
    assert.equal(after.total, 1);
    assert.deepEqual(after.countries, [{ key: 'gb', doc_count: 1 }]);
  });
});
