import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function jobspace(databaseUrl: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/jobspace.js', ...args], { cwd: ROOT, env, timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

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

  it('answers a missing --jobs with the usage, and an unknown organisation with one line', async () => {
    const missing = await jobspace(test.config.databaseUrl, ['seed', 'fake']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^jobspace: seed fake needs --jobs N/);
    const unknown = await jobspace(test.config.databaseUrl, ['seed', 'fake', '--jobs', '5', '--org', 'NOPE']);
    assert.notEqual(unknown.code, 0);
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
