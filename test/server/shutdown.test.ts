import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDrainsOnSigterm, startServer, useServerSandbox } from './process.ts';

describe('server shutdown (WORKERS=1)', { timeout: 180_000 }, () => {
  const sandbox = useServerSandbox('jobspace-shutdown-');
  const start = (name: string) => startServer({ LOG_LEVEL: 'info', DATABASE_URL: sandbox.sqliteUrl(name) });

  it('on SIGTERM stops accepting connections, finishes the request in flight, and exits 0', async () => {
    const server = (sandbox.server = await start('sigterm'));
    await assertDrainsOnSigterm(server);
    assert.equal(server.stderr, '');
  });

  it('on SIGINT exits 0 too', async () => {
    const server = (sandbox.server = await start('sigint'));
    server.child.kill('SIGINT');
    assert.equal(await server.exitCode(), 0);
    assert.equal(server.stderr, '');
  });
});
