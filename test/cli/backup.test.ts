import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/db/connect.ts';
import { isMigrationCurrent, MIGRATION_NAMES, type MigrationName, migrateToLatest, migrateUpTo } from '../../src/db/migrate.ts';
import { createOrganisation } from '../../src/tenancy/service.ts';
import { insertOrganisation } from '../../src/tenancy/repository.ts';
import { nowIso } from '../../src/clock.ts';
import { runJobspace, type Run } from '../support/cli.ts';
import { POSTGRES_URL } from '../support/stores.ts';

/*
 * backup and restore are SQLite's: a PostgreSQL store is backed up with
 * pg_dump. So these run on SQLite files only, and check the PostgreSQL refusal.
 */

const folder = mkdtempSync(join(tmpdir(), 'jobspace-backup-'));
const LIVE = join(folder, 'live.sqlite');
const BACKUP = join(folder, 'backup.sqlite');
const on = (file: string) => ({ DATABASE_URL: `sqlite:${file}` });

function assertRefused(run: Run, problem: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^jobspace: [^\n]+\n$/);
  assert.match(run.stderr, problem);
}

async function organisationHandles(file: string): Promise<string[]> {
  const store = openStore(`sqlite:${file}`);
  try {
    const rows = await store.db.selectFrom('organisations').select('handle').orderBy('handle').execute();
    return rows.map((row) => row.handle);
  } finally {
    await store.db.destroy();
  }
}

/** Adds organisation DURING in a transaction left open until the returned function commits it. */
async function openWrite(store: Store): Promise<() => Promise<void>> {
  let commit = () => undefined as void;
  const committed = new Promise<void>((resolve) => (commit = resolve));
  let begun = () => undefined as void;
  const written = new Promise<void>((resolve) => (begun = resolve));
  const transaction = store.db.transaction().execute(async (tx) => {
    await insertOrganisation(tx, { handle: 'DURING', name: 'Written during the backup', credits: null }, nowIso());
    begun();
    await committed;
  });
  await written;
  return async () => {
    commit();
    await transaction;
  };
}

after(() => rmSync(folder, { recursive: true, force: true }));

describe('jobspace backup', () => {
  let live: Store;
  before(async () => {
    live = openStore(`sqlite:${LIVE}`);
    await migrateToLatest(live);
    for (const handle of ['FIRST', 'SECOND']) await createOrganisation(live.db, { handle, name: handle });
  });
  after(() => live.db.destroy());

  it('copies every commit made before it, not a write still open on another connection, and does not wait for it', async () => {
    const commitDuring = await openWrite(live);
    const run = await runJobspace(['backup', '--to', BACKUP], on(LIVE));
    await commitDuring();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^wrote ${BACKUP}: \\d+ bytes, \\d+ tables, 0 jobs\\n$`));
    assert.equal(run.stderr, '');
    assert.deepEqual(await organisationHandles(BACKUP), ['FIRST', 'SECOND']);
    assert.deepEqual(await organisationHandles(LIVE), ['DURING', 'FIRST', 'SECOND']);
  });

  it('writes one self-contained file, with no -wal beside it', () => {
    assert.equal(existsSync(`${BACKUP}-wal`), false);
  });

  it('refuses to overwrite an existing file without --force, and overwrites it with', async () => {
    assertRefused(await runJobspace(['backup', '--to', BACKUP], on(LIVE)), /backup\.sqlite exists; --force overwrites it/);
    assert.deepEqual(await organisationHandles(BACKUP), ['FIRST', 'SECOND']);
    const run = await runJobspace(['backup', '--to', BACKUP, '--force'], on(LIVE));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await organisationHandles(BACKUP), ['DURING', 'FIRST', 'SECOND']);
  });

  it('refuses a store file that does not exist, without creating it', async () => {
    const missing = join(folder, 'missing.sqlite');
    assertRefused(await runJobspace(['backup', '--to', join(folder, 'x.sqlite')], on(missing)), /no database at .*missing\.sqlite/);
    assert.equal(existsSync(missing), false);
  });

  it('points a PostgreSQL store to pg_dump', async () => {
    assertRefused(await runJobspace(['backup', '--to', join(folder, 'pg.sqlite')], { DATABASE_URL: POSTGRES_URL }), /PostgreSQL store: back it up with pg_dump/);
  });
});

describe('jobspace restore', () => {
  it('writes the backup into a new store, migrated, and its rows read back', async () => {
    const run = await runJobspace(['restore', '--from', BACKUP], on(join(folder, 'fresh.sqlite')));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^restored .*fresh\.sqlite: \d+ bytes, \d+ tables, 0 jobs\n$/);
    assert.deepEqual(await organisationHandles(join(folder, 'fresh.sqlite')), ['DURING', 'FIRST', 'SECOND']);
  });

  it('refuses to replace an existing store without --force, and replaces it, stale -wal and -shm gone, with', async () => {
    const target = join(folder, 'target.sqlite');
    const store = openStore(`sqlite:${target}`);
    await migrateToLatest(store);
    await createOrganisation(store.db, { handle: 'OLD', name: 'Old' });
    await store.db.destroy();
    assertRefused(await runJobspace(['restore', '--from', BACKUP], on(target)), /target\.sqlite exists; --force replaces it/);
    assert.deepEqual(await organisationHandles(target), ['OLD']);
    writeFileSync(`${target}-shm`, 'stale');
    const run = await runJobspace(['restore', '--from', BACKUP, '--force'], on(target));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(existsSync(`${target}-shm`), false);
    assert.deepEqual(await organisationHandles(target), ['DURING', 'FIRST', 'SECOND']);
  });

  it('migrates an older backup to the latest schema', async () => {
    const older = join(folder, 'older.sqlite');
    const store = openStore(`sqlite:${older}`);
    // The store as the release before the newest migration left it.
    await migrateUpTo(store, MIGRATION_NAMES.at(-2) as MigrationName);
    await store.db.destroy();
    const target = join(folder, 'from-older.sqlite');
    const run = await runJobspace(['restore', '--from', older], on(target));
    assert.equal(run.code, 0, run.stderr);
    const restored = openStore(`sqlite:${target}`);
    try {
      assert.equal(await isMigrationCurrent(restored), true);
    } finally {
      await restored.db.destroy();
    }
  });

  const target = () => on(join(folder, 'never.sqlite'));
  const refusals: [title: string, makeFile: () => Promise<string>, problem: RegExp][] = [
    ['a file that does not exist', async () => join(folder, 'nowhere.sqlite'), /there is no file .*nowhere\.sqlite/],
    [
      'a file that is not a database',
      async () => {
        const file = join(folder, 'words.txt');
        writeFileSync(file, 'not a database, just words long enough to fill a header of one hundred bytes or so, and more');
        return file;
      },
      /words\.txt is not a readable SQLite database: file is not a database/,
    ],
    [
      'a SQLite database of some other program',
      async () => {
        const file = join(folder, 'other.sqlite');
        const store = openStore(`sqlite:${file}`);
        await sql`create table notes (body text)`.execute(store.db);
        await store.db.destroy();
        return file;
      },
      /not one of this server \(it has no schema_migrations table\)/,
    ],
  ];
  for (const [title, makeFile, problem] of refusals) {
    it(`refuses ${title}, without creating the store`, async () => {
      const file = await makeFile();
      assertRefused(await runJobspace(['restore', '--from', file], target()), problem);
      assert.equal(existsSync(join(folder, 'never.sqlite')), false);
    });
  }

  it('refuses a backup made by a newer version of the server', async () => {
    const newer = join(folder, 'newer.sqlite');
    copyFileSync(BACKUP, newer);
    const store = openStore(`sqlite:${newer}`);
    await sql`insert into schema_migrations (name, timestamp) values ('9999_future', '2099-01-01T00:00:00.000Z')`.execute(store.db);
    await store.db.destroy();
    assertRefused(await runJobspace(['restore', '--from', newer], target()), /newer version of this server \(migration 9999_future\)/);
  });

  it('points a PostgreSQL store to pg_restore', async () => {
    assertRefused(await runJobspace(['restore', '--from', BACKUP], { DATABASE_URL: POSTGRES_URL }), /pg_restore/);
  });

  it('says in its usage that the server must be stopped', async () => {
    const run = await runJobspace(['restore', '--help']);
    assert.match(run.stdout, /Stop the server first/);
  });
});
