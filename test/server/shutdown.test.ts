import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdTokenRequest, refusesConnections, type ServerProcess, startServer } from './process.ts';

describe('server shutdown (WORKERS=1)', { timeout: 180_000 }, () => {
  let folder: string;
  let server: ServerProcess | undefined;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'jobspace-shutdown-'));
  });
  afterEach(() => server?.kill());
  after(() => rmSync(folder, { recursive: true, force: true }));

  const start = (name: string) =>
    startServer({ LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(folder, `${name}.sqlite`)}` });

  it('on SIGTERM stops accepting connections, finishes the request in flight, and exits 0', async () => {
    server = await start('sigterm');
    const held = holdTokenRequest(server);
    await server.waitForLog((line) => line.reqId === held.requestId && line.msg === 'incoming request');
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM');
    assert.ok(await refusesConnections(server.port, 5_000), 'new connections still accepted while draining');
    const response = await held.finish();
    assert.equal(response.status, 200, response.body);
    assert.ok(JSON.parse(response.body).access_token);
    assert.equal(await server.exitCode(), 0);
    assert.equal(server.stderr, '');
  });

  it('on SIGINT exits 0 too', async () => {
    server = await start('sigint');
    server.child.kill('SIGINT');
    assert.equal(await server.exitCode(), 0);
    assert.equal(server.stderr, '');
  });
});
