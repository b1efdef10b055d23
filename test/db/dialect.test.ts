import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../src/db/dialects/sqlite-driver.ts';

/* The statement cache exists only on SQLite; PostgreSQL's driver prepares nothing of ours. */
describe('SQLite statement cache', () => {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-dialect-'));
  let database: SQLite.Database;
  let db: Kysely<{ items: { id: number; name: string } }>;
  before(async () => {
    database = new SQLite(join(folder, 'cache.sqlite'));
    db = new Kysely({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  const nameOf = async (id: number) =>
    (await db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirst())?.name;

  it('answers repeated SQL with each call’s own parameters', async () => {
    for (let id = 1; id <= 50; id += 1) await db.insertInto('items').values({ id, name: `item ${id}` }).execute();
    for (let round = 0; round < 3; round += 1) {
      for (const id of [1, 17, 50, 51]) assert.equal(await nameOf(id), id <= 50 ? `item ${id}` : undefined);
    }
  });

  it('answers differing SQL each with its own statement', async () => {
    const count = await db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    const names = await db.selectFrom('items').select('name').where('id', 'in', [2, 3]).orderBy('id').execute();
    const updated = await db.updateTable('items').set({ name: 'renamed' }).where('id', '=', 2).executeTakeFirst();
    assert.equal(count.count, 50);
    assert.deepEqual(names, [{ name: 'item 2' }, { name: 'item 3' }]);
    assert.equal(updated.numUpdatedRows, 1n);
    assert.equal(await nameOf(2), 'renamed');
  });

  it('reuses a statement for the same SQL text', () => {
    const cached = withStatementCache(database);
    assert.equal(cached.prepare('select name from items where id = ?'), cached.prepare('select name from items where id = ?'));
  });

  it('hands out a fresh statement while the cached one is still iterating', () => {
    const cached = withStatementCache(database);
    const text = 'select id from items where id <= ? order by id';
    const iterating = cached.prepare(text).iterate([2]);
    const first = iterating.next();
    const fresh = cached.prepare(text);
    assert.deepEqual(fresh.all([3]), [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assert.deepEqual([first.value, ...iterating], [{ id: 1 }, { id: 2 }]);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cached = withStatementCache(database, 2);
    const [a, b, c] = ['select 1', 'select 2', 'select 3'];
    const statementA = cached.prepare(a);
    const statementB = cached.prepare(b);
    cached.prepare(a);
    cached.prepare(c);
    assert.equal(cached.prepare(a), statementA, 'used after b, so kept');
    assert.notEqual(cached.prepare(b), statementB, 'the least recently used, so dropped for c');
    assert.deepEqual(cached.prepare(c).all([]), [{ 3: 3 }], 'c was dropped for b, and prepares again');
  });
});
