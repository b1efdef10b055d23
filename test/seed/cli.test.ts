import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { runJobspace } from '../support/cli.ts';
import { stores } from '../support/stores.ts';

const jobspace = (databaseUrl: string, args: string[]) => runJobspace(args, { DATABASE_URL: databaseUrl });

for (const store of stores) describe(`jobspace seed fake, the command [${store}]`, () => {
  let test: TestApp;

  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  it('seeds the first organisation, reporting progress on stderr and the outcome on stdout', async () => {
    const run = await jobspace(test.config.databaseUrl, ['seed', 'fake', '--jobs', '40', '--seed', '11']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^seeded 40 jobs into JDT \(seed 11, sites 1, 2\) in [\d.]+ s, inserting \d+ jobs\/s\n$/);
    assert.match(run.stderr, /^40 of 40 jobs, \d+ jobs\/s$/m);
    const { count } = await test.app.store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('reference', 'like', 'FAKE-11-%')
      .executeTakeFirstOrThrow();
    assert.equal(Number(count), 40);
  });

  it('answers a missing --jobs, and an unknown organisation, with exit 2 and one line', async () => {
    const missing = await jobspace(test.config.databaseUrl, ['seed', 'fake']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^jobspace: seed fake needs --jobs N \(jobspace help seed fake for its options\)\n$/);
    const unknown = await jobspace(test.config.databaseUrl, ['seed', 'fake', '--jobs', '5', '--org', 'NOPE']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^jobspace: .*organisation "NOPE" does not exist\n$/);
  });
});

describe('jobspace seed fake on an empty store', () => {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-seed-cli-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('fails clearly when there is no organisation', async () => {
    const run = await jobspace(`sqlite:${join(folder, 'empty.sqlite')}`, ['seed', 'fake', '--jobs', '5']);
    assert.equal(run.code, 2, 'a refusal, like the other commands\' usage and tenancy errors');
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'jobspace: there is no organisation to seed; create one first\n');
  });
});
