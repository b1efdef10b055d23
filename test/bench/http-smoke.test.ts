import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

/*
 * The HTTP benchmark's harness, run the way `npm run bench` runs it but in
 * smoke mode: 1,000 jobs, half-second scenarios, a few connections. It checks
 * that every scenario ran without errors or unexpected statuses, never how
 * fast; --no-write leaves bench/RESULTS.md alone.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const ROWS = [
  'password-grant token',
  'ceiling (node:http), before',
  'read by id',
  'ceiling (node:http), after',
  'list page 1',
  'list page 200',
  'keyword search',
  'keyword + radius',
  'search mix ceiling (node:http), before',
  'search mix',
  'search mix ceiling (node:http), after',
  'suggest',
  'create',
  'partial update',
  'list under writes (list latency)',
];

describe('npm run bench -- --smoke', { timeout: 120_000 }, () => {
  it('runs every scenario against a freshly seeded server and prints a row for each', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/http.ts', '--smoke', '--store', 'sqlite', '--no-write'], {
      cwd: ROOT,
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    assert.match(stdout, /^## HTTP, SQLite, 1,000 jobs, WORKERS=1 \(/m);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| scenario') && !line.startsWith('| ---'));
    assert.deepEqual(rows.map((row) => row.split('|')[1]?.trim()), ROWS);
    assert.match(stdout, /Read by id: [\d,]+ requests\/s, \*\*[\d.]+\*\* of the ceiling/);
    assert.match(stdout, /Search mix: [\d,]+ requests\/s, \*\*[\d.]+\*\* of the ceiling \([\d,]+ requests\/s, the mean of the runs before and after\): a bare node:http process answering each of the mix's \d+ URLs/);
  });
});
