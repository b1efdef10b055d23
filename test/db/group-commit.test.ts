import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/db/connect.ts';
import { groupCommit } from '../../src/db/group-commit.ts';
import type { Db } from '../../src/db/types.ts';

describe('groupCommit (SQLite writes sharing a commit)', () => {
  let folder: string;
  let store: Store;
  let otherConnection: Store;
  let begins = 0;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'jobspace-group-commit-'));
    const url = `sqlite:${join(folder, 'test.sqlite')}`;
    store = openStore(url);
    otherConnection = openStore(url);
    await sql`create table notes (id integer primary key, body text not null unique)`.execute(store.db);
  });
  after(async () => {
    await store.db.destroy();
    await otherConnection.db.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The store, counting the transactions it begins. */
  const counted = (): Db =>
    new Proxy(store.db, {
      get(target, property) {
        if (property === 'transaction') begins += 1;
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  const insert = (body: string) => async (tx: Parameters<Parameters<ReturnType<typeof groupCommit>>[0]>[0]) => {
    await sql`insert into notes (body) values (${body})`.execute(tx);
    return body;
  };
  const bodies = async (db: Db) => (await sql<{ body: string }>`select body from notes order by body`.execute(db)).rows.map((r) => r.body);

  it('commits writes that arrive together in fewer transactions, each answered after the commit', async () => {
    const transact = groupCommit(counted(), store.dialect.rowLock);
    begins = 0;
    const written = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((body) => transact(insert(body))));
    assert.deepEqual(written, ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.ok(begins <= 2, `${begins} transactions for 6 writes`);
    assert.deepEqual(await bodies(otherConnection.db), ['a', 'b', 'c', 'd', 'e', 'f'], 'visible to another connection once answered');
  });

  it('undoes and fails a failing write alone', async () => {
    const transact = groupCommit(store.db, store.dialect.rowLock);
    const outcomes = await Promise.allSettled([
      transact(insert('g')),
      transact(async (tx) => {
        await sql`insert into notes (body) values ('half-written')`.execute(tx);
        throw new Error('no credits');
      }),
      transact(insert('a')), // taken: the unique index refuses it
      transact(insert('h')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'no credits');
    assert.deepEqual(await bodies(otherConnection.db), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('runs each step the writes left once, after all of them, with the ids of the writes that succeeded', async () => {
    const transact = groupCommit(store.db, store.dialect.rowLock);
    const calls: { ids: readonly number[]; notesSeen: number }[] = [];
    const countNotes = async (tx: Db) => (await sql<{ n: number }>`select count(*) as n from notes`.execute(tx)).rows[0]!.n;
    const step = async (tx: Db, ids: readonly number[]) => {
      calls.push({ ids, notesSeen: await countNotes(tx) });
    };
    const before = await countNotes(store.db);
    const outcomes = await Promise.allSettled([
      transact(async (tx, _lock, atCommit) => {
        atCommit.add(step, [1, 2]);
        return insert('j')(tx);
      }),
      transact(async (_tx, _lock, atCommit) => {
        atCommit.add(step, [3]);
        throw new Error('refused');
      }),
      transact(async (tx, _lock, atCommit) => {
        atCommit.add(step, [2, 4]);
        return insert('k')(tx);
      }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(calls, [{ ids: [1, 2, 4], notesSeen: before + 2 }]);
  });

  it('keeps working after a batch failed', async () => {
    const transact = groupCommit(store.db, store.dialect.rowLock);
    await assert.rejects(transact(async () => Promise.reject(new Error('refused'))));
    assert.equal(await transact(insert('i')), 'i');
  });
});
