import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/db/connect.ts';
import { isStoreUnavailable } from '../../src/db/errors.ts';
import { POSTGRES_URL, stores } from '../support/stores.ts';

/*
 * The serving pool's bounds (src/db/dialects/postgres-timeouts.ts), on the
 * shared test cluster. A frozen server is test/server/postgres-outage.test.ts;
 * here a slow statement plays a server that does not answer in time.
 */

const CONNECT_MS = 300;
const STATEMENT_MS = 400;

async function backendPid(store: Store): Promise<number> {
  return (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]?.pid as number;
}

describe('PostgreSQL pool with timeouts', { skip: !stores.includes('postgres') && 'PostgreSQL unreachable' }, () => {
  let store: Store;
  before(() => {
    // These queries touch no table: the store needs no schema of its own.
    store = openStore(POSTGRES_URL, { poolSize: 1, timeouts: { connectMs: CONNECT_MS, statementMs: STATEMENT_MS } });
  });
  after(() => store.db.destroy());

  it('has the server cancel a statement past the statement timeout, an error counted as the store unavailable', async () => {
    const error = await sql`select pg_sleep(5)`.execute(store.db).then(() => null, (caught: unknown) => caught);
    assert.equal((error as { code?: string }).code, '57014');
    assert.ok(isStoreUnavailable(error));
    // The server cancelled the statement and the connection went on: the next query is answered on it.
    assert.equal((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows[0]?.one, 1);
  });

  it('gives up on a query the server does not answer, and discards its connection rather than lend it again', async () => {
    const stuck = await backendPid(store);
    // The statement timeout lifted on this connection plays a server that never answers. (Outside a
    // transaction: Kysely itself discards a connection whose rollback failed.)
    const error = await store.db.connection().execute(async (connection) => {
      await sql`set statement_timeout = 0`.execute(connection);
      await sql`select pg_sleep(3)`.execute(connection);
    }).then(() => null, (caught: unknown) => caught);
    assert.match((error as Error).message, /Query read timeout/);
    assert.ok(isStoreUnavailable(error));
    // Lent again, the one connection would queue this behind the sleep until it too timed out.
    assert.notEqual(await backendPid(store), stuck);
  });

  it('refuses the rollback of a transaction whose query timed out at once, rather than queue it behind that query', async () => {
    const stuck = await backendPid(store);
    const error = await store.db.transaction().execute(async (tx) => {
      await sql`set local statement_timeout = 0`.execute(tx);
      await sql`select pg_sleep(3)`.execute(tx);
    }).then(() => null, (caught: unknown) => caught);
    // Sent, the rollback would wait out a query timeout of its own: a frozen server held a write for twice the bound.
    assert.match((error as Error).message, /^Query read timeout earlier on this connection$/);
    assert.ok(isStoreUnavailable(error));
    assert.notEqual(await backendPid(store), stuck);
  });

  it('bounds the wait for a free connection by the connect timeout', async () => {
    let release!: () => void;
    const held = store.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      const error = await sql`select 1`.execute(store.db).then(() => null, (caught: unknown) => caught);
      assert.match((error as Error).message, /timeout exceeded when trying to connect/);
      assert.ok(isStoreUnavailable(error));
    } finally {
      release();
      await held;
    }
  });
});
