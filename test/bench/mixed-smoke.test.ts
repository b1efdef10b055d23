import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

/*
 * The mixed-load benchmark's harness, run the way `npm run bench:mixed` runs
 * it but in smoke mode: 1,000 jobs, two low rates for a second each. It
 * checks that every kind of request was offered and answered without an
 * error (the run exits 1 otherwise) and that each rate has its rows, never
 * how fast; a smoke run leaves bench/RESULTS.md alone.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('npm run bench:mixed -- --smoke', { timeout: 120_000 }, () => {
  it('offers the mix at each rate to a freshly seeded server and prints a row per rate, overall and by kind', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/mixed.ts', '--smoke'], {
      cwd: ROOT,
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.match(stdout, /^## Mixed load, SQLite, 1,000 jobs, WORKERS=1 \(/m);
    const rows = stdout.split('\n').filter((line) => /^\| \d/.test(line));
    assert.deepEqual(rows.map((row) => row.split('|')[1]?.trim()), ['50', '100', '50', '100']);
    assert.match(stdout, /^\| offered\/s \| read by id \| list \| search \| suggest \| create \| partial update \| password-grant token \|$/m);
    assert.match(stdout, /^Highest rate with p99 ≤ 100 ms \(over every request but the password grants, [^)]*\) and no error or 503: \*\*/m);
  });
});
