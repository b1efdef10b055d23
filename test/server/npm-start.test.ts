import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDrainsOnSigterm, isRunning, NPM_START, refusesConnections, startServer, useServerSandbox } from './process.ts';

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
  const sandbox = useServerSandbox('jobspace-npm-start-');

  it('runs the server as npm\'s own child, which drains and exits on a SIGTERM sent to npm', async () => {
    const server = (sandbox.server = await startServer(
      { LOG_LEVEL: 'info', DATABASE_URL: sandbox.sqliteUrl('npm-start') },
      { command: NPM_START, startTimeoutMs: FIRST_START_TIMEOUT_MS },
    ));
    const [serverPid, ...others] = childrenOf(server.pid);
    assert.deepEqual(others, [], 'npm has more than one child: a shell stayed between npm and node');
    assert.equal(await server.servedBy(await server.send('GET', '/health/live')), serverPid, 'the server is not npm\'s child');

    await assertDrainsOnSigterm(server);
    assert.equal(isRunning(serverPid as number), false, 'the server outlived npm');
    assert.ok(await refusesConnections(server.port, 1_000), 'something still listens on the port');
  });
});
