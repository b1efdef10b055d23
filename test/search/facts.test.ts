import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { openStore, type Store } from '../../src/db/connect.ts';
import { JobFacts, pruneJobChanges } from '../../src/search/facts.ts';
import { ListCounts } from '../../src/search/list-counts.ts';
import type { SearchCriteria } from '../../src/search/repository.ts';

/*
 * The facts lists and searches count by are a copy in memory of columns of
 * the jobs; each process brings its copy up to date from the change feed
 * when a write is noted. These tests write through the app (another
 * connection, as another process would) and read the copy of their own.
 */
for (const store of stores) describe(`job facts in memory [${store}]`, () => {
  let test: TestApp;
  let direct: Store;
  let token: string;

  const post = async (fields: Record<string, unknown> = {}) => {
    const response = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson(fields) });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data.id as number;
  };
  const categoryOf = async (handle: string) =>
    Number((await sql<{ id: number }>`select id from job_categories where handle = ${handle}`.execute(direct.db)).rows[0]?.id);
  const loaded = async () => {
    const facts = new JobFacts(direct.db);
    await facts.current();
    return facts;
  };

  before(async () => {
    test = await buildTestApp(store);
    direct = openStore(test.config.databaseUrl);
    token = await issueToken(test.app);
  });
  after(async () => {
    await direct.db.destroy();
    await test.close();
  });

  it('holds the listed jobs and not the deleted ones', async () => {
    const kept = await post({ name: 'Night Porter' });
    const deleted = await post({ name: 'Day Porter' });
    const response = await test.app.inject({ method: 'POST', url: `/api/job/${deleted}/delete`, headers: auth(token), payload: {} });
    assert.equal(response.statusCode, 200, response.body);
    const facts = await loaded();
    assert.equal(facts.listed[kept], 1);
    assert.equal(facts.listed[deleted], 0);
    assert.ok(facts.maxId >= kept);
    assert.ok(facts.onSites([1])(kept), 'with its site');
    assert.ok(!facts.onSites([2, 40])(kept), 'and not on others');
  });

  it('holds sites numbered from 32 up beside the others', async () => {
    const id = await post({ name: 'Site Porter' });
    const now = new Date().toISOString();
    await sql`insert into sites (id, handle, name, url, created_at, updated_at)
      values (40, 'far', 'Far Board', 'https://far.example', ${now}, ${now})`.execute(direct.db);
    await sql`insert into job_sites (job_id, site_id) values (${id}, 40)`.execute(direct.db);
    const facts = await loaded();
    assert.ok(facts.onSites([40])(id));
    assert.ok(facts.onSites([2, 40])(id));
    assert.ok(facts.onSites([1])(id), 'and on its first site still');
    assert.ok(!facts.onSites([41])(id));
  });

  it('reads the feed when a write is noted, and only then', async () => {
    const facts = await loaded();
    const id = await post({ name: 'Head Porter' });
    await facts.current();
    assert.equal(facts.listed[id] ?? 0, 0, 'not noted: not read');
    facts.noteWrite();
    await facts.current();
    assert.equal(facts.listed[id], 1);
  });

  it('follows an update of what lists filter by, and a deletion', async () => {
    const id = await post({ name: 'Hall Porter', job_category: 'ACCOUNTANCY' });
    const facts = await loaded();
    const wanted = await categoryOf('INTERNAL_COMMUNICATIONS');
    const updated = await test.app.inject({
      method: 'POST', url: `/api/job/${id}/update`, headers: auth(token), payload: { job_category: 'INTERNAL_COMMUNICATIONS' },
    });
    assert.equal(updated.statusCode, 200, updated.body);
    facts.noteWrite();
    await facts.current();
    assert.equal(facts.category[id], wanted);
    await test.app.inject({ method: 'POST', url: `/api/job/${id}/delete`, headers: auth(token), payload: {} });
    facts.noteWrite();
    await facts.current();
    assert.equal(facts.listed[id], 0);
  });

  it('loads everything again when the feed was pruned past what it had read', async () => {
    const facts = await loaded();
    const ids = [await post({ name: 'Porter One' }), await post({ name: 'Porter Two' })];
    await pruneJobChanges(direct.db, 0);
    const last = await post({ name: 'Porter Three' });
    facts.noteWrite();
    await facts.current();
    for (const id of [...ids, last]) assert.equal(facts.listed[id], 1, `job ${id}`);
  });

  it('keeps the counts of each filter current as jobs change, as a count from nothing gives them', async () => {
    const facts = await loaded();
    const kept = new ListCounts(facts);
    facts.listen(kept);
    const accountancy = await categoryOf('ACCOUNTANCY');
    const filters: Record<string, SearchCriteria> = {
      all: { visibleTo: { organisationIds: [1] }, text: null, near: null, status: 'any', sort: 'newest', today: '2026-11-28' },
      accountancy: { visibleTo: { organisationIds: [1] }, text: null, near: null, status: 'any', sort: 'newest', today: '2026-11-28', categoryIds: [accountancy] },
      live: { visibleTo: { siteIds: [1] }, text: null, near: null, status: 'live', sort: 'newest', today: new Date().toISOString().slice(0, 10) },
    };
    const counted = () => Object.fromEntries(Object.entries(filters).map(([name, criteria]) => [name, kept.get(name, criteria)]));
    const before = counted();
    const moved = await post({ name: 'Counting Porter', job_category: 'ACCOUNTANCY' });
    const gone = await post({ name: 'Leaving Porter', job_category: 'ACCOUNTANCY' });
    await test.app.inject({ method: 'POST', url: `/api/job/${moved}/update`, headers: auth(token), payload: { job_category: 'INTERNAL_COMMUNICATIONS' } });
    await test.app.inject({ method: 'POST', url: `/api/job/${gone}/delete`, headers: auth(token), payload: {} });
    facts.noteWrite();
    await facts.current();
    const after = counted();
    assert.equal(after.all!.total, before.all!.total + 1);
    assert.equal(after.accountancy!.total, before.accountancy!.total);
    const fresh = new ListCounts(facts);
    for (const [name, criteria] of Object.entries(filters)) assert.deepEqual(after[name], fresh.get(name, criteria), name);
  });

  if (store === 'postgres') {
    it('waits for a change whose write committed after a later one', async () => {
      const early = await post({ name: 'Early Porter', job_category: 'ACCOUNTANCY' });
      const late = await post({ name: 'Late Porter', job_category: 'ACCOUNTANCY' });
      const facts = await loaded();
      const wanted = await categoryOf('INTERNAL_COMMUNICATIONS');
      const other = openStore(test.config.databaseUrl);
      try {
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let began = () => {};
        const written = new Promise<void>((resolve) => {
          began = resolve;
        });
        // The early write takes its feed number first and commits last.
        const earlyWrite = other.db.transaction().execute(async (tx) => {
          await sql`update jobs set job_category_id = ${wanted} where id = ${early}`.execute(tx);
          began();
          await held;
        });
        await written;
        await sql`update jobs set job_category_id = ${wanted} where id = ${late}`.execute(direct.db);
        facts.noteWrite();
        await facts.current();
        assert.equal(facts.category[late], wanted);
        assert.notEqual(facts.category[early], wanted, 'not committed yet');
        release();
        await earlyWrite;
        await facts.current();
        assert.equal(facts.category[early], wanted, 'its number was waited for');
      } finally {
        await other.db.destroy();
      }
    });
  }
});
