import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { sqliteFileOf } from '../../src/db/dialects/store-url.ts';
import { jobJson } from '../support/fixtures.ts';

/*
 * Another process (a CLI command, a backup, a second worker) holding SQLite's
 * write lock: played here by a second connection to the same file, holding
 * BEGIN IMMEDIATE. A write waiting for it must not stop the process from
 * serving reads meanwhile.
 */

/** A connection of its own to the app's SQLite file, holding the write lock until released. */
function holdWriteLock(test: TestApp): { release(): void } {
  const holder = new SQLite(sqliteFileOf(test.config.databaseUrl) as string);
  holder.exec('begin immediate');
  return {
    release() {
      holder.exec('commit');
      holder.close();
    },
  };
}

async function countJobs(test: TestApp): Promise<number> {
  const row = await test.app.store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Gives a write sent without awaiting it time to reach its BEGIN IMMEDIATE and meet the lock. */
const reachTheLock = () => sleep(200);

describe('SQLite write waiting for another process\'s write lock', () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp('sqlite');
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const postJob = () => test.app.inject({ method: 'POST', url: '/api/job', payload: jobJson(), headers: auth(token) });

  it('lets reads and health checks through while it waits, and commits once the lock is released', async () => {
    const lock = holdWriteLock(test);
    let writeAnswered = false;
    const write = postJob().then((response) => {
      writeAnswered = true;
      return response;
    });
    try {
      await reachTheLock();
      const [ready, live, list] = await Promise.all([
        test.app.inject({ method: 'GET', url: '/health/ready' }),
        test.app.inject({ method: 'GET', url: '/health/live' }),
        test.app.inject({ method: 'GET', url: '/api/job', headers: auth(token) }),
      ]);
      assert.equal(ready.statusCode, 200, ready.body);
      assert.equal(live.statusCode, 200);
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(writeAnswered, false, 'the write was answered before the lock was released');
    } finally {
      lock.release();
    }
    const response = await write;
    assert.equal(response.statusCode, 201, response.body);
  });
});

describe('SQLite write kept from the lock past DATABASE_LOCK_TIMEOUT_MS', () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp('sqlite', { DATABASE_LOCK_TIMEOUT_MS: '300' });
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const postJob = () => test.app.inject({ method: 'POST', url: '/api/job', payload: jobJson(), headers: auth(token) });

  it('answers 503 in the envelope with Retry-After, and writes nothing', async () => {
    const before = await countJobs(test);
    const lock = holdWriteLock(test);
    let response;
    try {
      response = await postJob();
    } finally {
      lock.release();
    }
    assert.equal(response.statusCode, 503, response.body);
    assert.equal(response.headers['retry-after'], '5');
    const body = response.json();
    assert.deepEqual(Object.keys(body), ['data']);
    assert.equal(body.data.status_code, 503);
    assert.equal(await countJobs(test), before);
    assert.equal((await postJob()).statusCode, 201, 'a write after the release commits');
  });
});
