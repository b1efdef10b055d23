import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

/*
 * The soak's harness, run as `npm run bench:soak` runs it but in smoke mode:
 * 1,000 jobs, six seconds in three slices. It exits 1 on any failed request;
 * memory over six seconds proves nothing, so only the rows are checked, and
 * a smoke run leaves bench/RESULTS.md alone.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('npm run bench:soak -- --smoke', { timeout: 120_000 }, () => {
  it('offers the mixed load in slices and prints a row per slice with its errors and the server memory', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--smoke'], { cwd: ROOT, timeout: 110_000, maxBuffer: 16 * 1024 * 1024 });
    assert.match(stdout, /^## Soak, SQLite, 1,000 jobs, WORKERS=1 \(/m);
    const rows = stdout.split('\n').filter((line) => /^\| \d/.test(line));
    assert.deepEqual(rows.map((row) => row.split('|')[1]?.trim()), ['2', '4', '6']);
    for (const row of rows) assert.equal(row.split('|')[4]?.trim(), '0', `a slice had a 5xx: ${row}`);
    assert.match(stdout, /0 5xx, 0 other errors: \*\*passed\*\*\.$/m);
  });
});
