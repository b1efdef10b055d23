import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app.ts';

/* The HTTP server's own bounds (src/app.ts), set rather than left to Node's and Fastify's defaults. */
describe('HTTP server timeouts', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite', { KEEP_ALIVE_TIMEOUT_MS: '1000' });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => test.close());

  it('bounds headers, the whole request, and a silent connection; the keep-alive from KEEP_ALIVE_TIMEOUT_MS', () => {
    const server = test.app.server;
    assert.equal(server.headersTimeout, 20_000);
    assert.equal(server.requestTimeout, 60_000);
    assert.equal(server.timeout, 120_000);
    assert.equal(server.keepAliveTimeout, 1_000);
  });

  it('closes a kept-alive connection left idle past KEEP_ALIVE_TIMEOUT_MS', { timeout: 15_000 }, async () => {
    const address = test.app.server.address() as { port: number };
    const socket = connect(address.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closedByServer = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.write('GET /health/live HTTP/1.1\r\nHost: jobs.test\r\nConnection: keep-alive\r\n\r\n');
    // Fastify's own default keeps an idle connection 72 s, past this test's timeout.
    await closedByServer;
    assert.match(received, /^HTTP\/1\.1 200 /);
    socket.destroy();
  });
});
