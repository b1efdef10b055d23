import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';

/*
 * A list's total, facets and rendered page are kept per filter; they must
 * still follow a write made by another process: SQLite says so through data_version,
 * PostgreSQL through a trigger's NOTIFY, which arrives just after the commit.
 */
for (const store of stores) describe(`lists kept between requests, after another process writes [${store}]`, () => {
  let test: TestApp;
  let otherProcess: Store;
  let token: string;

  before(async () => {
    test = await buildTestApp(store);
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
    return {
      total: body.meta.pagination.total,
      countries: body.meta.aggregations['location.country.iso'],
      organisation: body.data[0]?.organisation.data.name,
    };
  };

  /** The list once `changed` says so, within a second; the last list otherwise. */
  const listOnce = async (changed: (now: Awaited<ReturnType<typeof list>>) => boolean) => {
    for (let tries = 0; tries < 20; tries += 1) {
      const now = await list();
      if (changed(now)) return now;
      await sleep(50);
    }
    return list();
  };

  it('counts again once another connection has committed', async () => {
    // PostgreSQL's listener connects as the app starts; until it listens, nothing is cached.
    if (store === 'postgres') await sleep(300);
    assert.equal((await list()).total, 2);
    assert.equal((await list()).total, 2, 'counted from the cache');
    await sql`update jobs set deleted_at = ${new Date().toISOString()} where id = (select max(id) from jobs)`.execute(otherProcess.db);
    const changed = await listOnce((now) => now.total !== 2);
    assert.equal(changed.total, 1);
    assert.deepEqual(changed.countries, [{ key: 'gb', doc_count: 1 }]);
  });

  it('renders the page again once another connection renamed what it shows', async () => {
    const before = await list();
    assert.equal((await list()).organisation, before.organisation, 'rendered from the cache');
    await sql`update organisations set name = 'Renamed Elsewhere Ltd' where id = 1`.execute(otherProcess.db);
    assert.equal((await listOnce((now) => now.organisation !== before.organisation)).organisation, 'Renamed Elsewhere Ltd');
  });
});
