import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdTokenRequest, isRunning, NPM_START, refusesConnections, type ServerProcess, startServer } from './process.ts';

/*
 * `npm start` as an operator or a supervisor runs it: the signal goes to the
 * npm process, and must still reach the server. bin/serve.js builds dist/
 * first only when it is older than src/ (CI builds before testing), hence
 * the long start-up bound.
 */

const FIRST_START_TIMEOUT_MS = 180_000;

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const listed = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return listed === '' ? [] : listed.split(/\s+/).map(Number);
}

describe('npm start', { timeout: 300_000 }, () => {
  let folder: string;
  let server: ServerProcess | undefined;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'jobspace-npm-start-'));
  });
  afterEach(() => server?.kill());
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('runs the server as npm\'s own child, which drains and exits on a SIGTERM sent to npm', async () => {
    server = await startServer(
      { LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(folder, 'npm-start.sqlite')}` },
      { command: NPM_START, startTimeoutMs: FIRST_START_TIMEOUT_MS },
    );
    const [serverPid, ...others] = childrenOf(server.pid);
    assert.deepEqual(others, [], 'npm has more than one child: a shell stayed between npm and node');
    assert.equal(await server.servedBy(await server.send('GET', '/health/live')), serverPid, 'the server is not npm\'s child');

    const held = holdTokenRequest(server);
    await server.waitForLog((line) => line.reqId === held.requestId && line.msg === 'incoming request');
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM');
    assert.ok(await refusesConnections(server.port, 5_000), 'new connections still accepted while draining');
    const response = await held.finish();
    assert.equal(response.status, 200, response.body);

    assert.equal(await server.exitCode(), 0);
    assert.equal(isRunning(serverPid as number), false, 'the server outlived npm');
    assert.ok(await refusesConnections(server.port, 1_000), 'something still listens on the port');
  });
});
