import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { JobFacts } from '../../src/search/facts.ts';
import { ListCaches } from '../../src/search/list-cache.ts';

/*
 * What lists keep is brought up to date once per list: at once after this
 * process's writes, and after another process's once the store's change
 * stamp has moved.
 */
for (const store of stores) describe(`ListCaches [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  let token: string;

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    token = await issueToken(test.app);
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  const post = async () => {
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson() });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data.id as number;
  };

  it('reads another process\'s writes once the stamp moves', async () => {
    let stamp = 1;
    const facts = new JobFacts(direct.db);
    const lists = new ListCaches(facts, async () => stamp);
    await lists.current();
    const id = await post();
    await lists.current();
    assert.equal(facts.listed[id] ?? 0, 0, 'same stamp: not read');
    stamp = 2;
    await lists.current();
    assert.equal(facts.listed[id], 1, 'new stamp: read');
  });

  it("reads this process's writes at once", async () => {
    const facts = new JobFacts(direct.db);
    const lists = new ListCaches(facts, async () => 1);
    await lists.current();
    const id = await post();
    lists.jobsWritten();
    await lists.current();
    assert.equal(facts.listed[id], 1);
  });
});
