import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, type ServerProcess, startServer } from './process.ts';
import { sampleOf } from '../metrics/scrape.ts';

/* The real cluster: each worker counts its own requests; the primary asks them all at each scrape. */
describe('GET /metrics on METRICS_PORT with WORKERS=2', () => {
  let folder: string;
  let server: ServerProcess;
  let metricsPort: number;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'jobspace-metrics-'));
    metricsPort = await freePort();
    server = await startServer({ WORKERS: '2', METRICS_PORT: String(metricsPort), DATABASE_URL: `sqlite:${join(folder, 'db.sqlite')}` });
  });
  after(() => {
    server?.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  it('is served by the primary without authentication, summing every worker\'s requests', async () => {
    // A connection each, so that both workers serve some.
    for (let i = 0; i < 8; i += 1) assert.equal((await server.send('GET', '/health/live')).status, 200);
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(sampleOf(text, 'jobspace_http_requests_total', { method: 'GET', route: '/health/live', status: '200' }), 8);
    assert.notEqual(sampleOf(text, 'jobspace_jobs', { status: 'live' }), undefined);
  });

  it('is not served on the API\'s port without METRICS_TOKEN', async () => {
    assert.equal((await server.send('GET', '/metrics')).status, 404);
  });
});
