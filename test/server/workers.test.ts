import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBudget } from '../../src/cluster.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  bearer, holdTokenRequest, isRunning, issueToken, type ServerProcess, START_TIMEOUT_MS, startServer,
} from './process.ts';

describe('WORKERS', () => {
  it('is 1 when unset or empty', () => {
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({ WORKERS: '' }).workers, 1);
  });

  it('reads a whole number from 1 to 64, and auto as one per core', () => {
    assert.equal(loadConfig({ WORKERS: '4' }).workers, 4);
    assert.equal(loadConfig({ WORKERS: '64' }).workers, 64);
    assert.ok(loadConfig({ WORKERS: 'auto' }).workers >= 1);
  });

  for (const value of ['0', '65', '-1', '2.5', 'many', 'AUTO']) {
    it(`rejects WORKERS=${value} with a ConfigError naming WORKERS`, () => {
      assert.throws(
        () => loadConfig({ WORKERS: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'WORKERS' && error.message.includes(`"${value}"`),
      );
    });
  }

  it('rejects more than one worker on an in-memory SQLite database, which each would have alone', () => {
    assert.throws(
      () => loadConfig({ WORKERS: '2', DATABASE_URL: 'sqlite::memory:' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'WORKERS',
    );
  });
});

describe('RestartBudget', () => {
  it('doubles the back-off from 0.5 s with each death, and gives up after five within a minute', () => {
    const budget = new RestartBudget();
    const backOffs = [0, 1_000, 2_000, 3_000, 4_000, 5_000].map((now) => budget.backOffAfterDeath(now));
    assert.deepEqual(backOffs, [500, 1_000, 2_000, 4_000, 8_000, null]);
  });

  it('forgets deaths older than the window', () => {
    const budget = new RestartBudget();
    for (const now of [0, 1_000, 2_000, 3_000, 4_000]) budget.backOffAfterDeath(now);
    assert.equal(budget.backOffAfterDeath(62_500), 2_000);
  });
});

/** Far above a health check's latency, even on a busy machine: a request silent this long hangs. */
const HANG_MS = 8_000;
const STREAMS = 6;

/**
 * Health checks sent back to back on fresh connections by a few loops at
 * once, each one answered, failed, or, after HANG_MS without either, hung.
 */
class RequestStream {
  answered = 0;
  readonly errors: string[] = [];
  readonly hung: string[] = [];
  private running = true;
  private readonly wakers = new Set<() => void>();
  private readonly loops: Promise<void>[];

  constructor(private readonly port: number) {
    this.loops = Array.from({ length: STREAMS }, () => this.loop());
  }

  /** Resolves once `count` requests have been answered in all. */
  untilAnswered(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.answered < count) return;
        this.wakers.delete(check);
        resolve();
      };
      this.wakers.add(check);
      check();
    });
  }

  async stop(): Promise<{ answered: number; errors: string[]; hung: string[] }> {
    this.running = false;
    await Promise.all(this.loops);
    return { answered: this.answered, errors: this.errors, hung: this.hung };
  }

  private async loop(): Promise<void> {
    while (this.running) await this.once();
  }

  private once(): Promise<void> {
    return new Promise((resolve) => {
      let hung = false;
      const outgoing = request({ host: '127.0.0.1', port: this.port, path: '/health/live', agent: false, timeout: HANG_MS }, (incoming) => {
        incoming.resume().on('end', () => {
          this.answered += 1;
          for (const wake of this.wakers) wake();
          resolve();
        });
      });
      outgoing.on('timeout', () => {
        hung = true;
        this.hung.push(`no answer after ${HANG_MS} ms`);
        outgoing.destroy();
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // Destroyed for hanging, it fails too; that is counted as hung.
        if (!hung) this.errors.push(error.code ?? error.message);
        resolve();
      });
      outgoing.end();
    });
  }
}

/*
 * Which worker served a request is read from the server's own log: at
 * LOG_LEVEL=info each request's line carries pino's pid and our x-request-id,
 * so no header or health field has to give the pid away.
 */
describe('server with WORKERS=2', { timeout: 180_000 }, () => {
  let folder: string;
  let server: ServerProcess;
  let workerPids: number[];
  let token: string;
  let tokenWorker: number;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'jobspace-workers-'));
    server = await startServer({ WORKERS: '2', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(folder, 'db.sqlite')}` });
  });
  after(() => {
    server?.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  const startedWorkers = () =>
    server.logLines().filter((line) => line.msg === 'worker started').map((line) => line.worker as number);

  const listening = (pid: number) =>
    server.waitForLog((line) => line.pid === pid && line.msg.startsWith('Server listening'), START_TIMEOUT_MS);

  /** Sends fresh-connection requests until `count` distinct processes have served one. */
  async function servingPids(count: number): Promise<Set<number>> {
    const pids = new Set<number>();
    for (let attempt = 0; attempt < 40 && pids.size < count; attempt += 1) {
      const response = await server.send('GET', '/health/ready');
      assert.equal(response.status, 200);
      pids.add(await server.servedBy(response));
    }
    return pids;
  }

  it('runs two worker processes besides the primary, and both answer', async () => {
    workerPids = startedWorkers();
    assert.equal(workerPids.length, 2);
    // Ready means one worker listens; the primary hands connections only to those that do.
    await Promise.all(workerPids.map(listening));
    const pids = await servingPids(2);
    assert.deepEqual([...pids].sort(), [...workerPids].sort());
    assert.ok(!pids.has(server.pid), 'the primary serves nothing itself');
  });

  it('prints the demo tenant exactly once, from the primary that prepared the database', () => {
    assert.equal(server.stdout.split('Demo tenant created').length - 1, 1);
  });

  it('accepts a token issued by one worker on the other (tokens live in the database)', async () => {
    const issued = await issueToken(server);
    token = issued.token;
    tokenWorker = await server.servedBy(issued.response);
    let otherWorkerAnswered = false;
    for (let attempt = 0; attempt < 20 && !otherWorkerAnswered; attempt += 1) {
      const response = await server.send('GET', '/api/job', { headers: bearer(token) });
      assert.equal(response.status, 200, response.body);
      otherWorkerAnswered = (await server.servedBy(response)) !== tokenWorker;
    }
    assert.ok(otherWorkerAnswered, 'no request reached the worker that did not issue the token');
  });

  it('replaces a worker that dies, and the new one answers', async () => {
    const victim = workerPids[0] as number;
    process.kill(victim, 'SIGKILL');
    await server.waitForLog((line) => line.msg.startsWith('worker died') && line.worker === victim);
    await server.waitForLog((line) => line.msg === 'worker started' && !workerPids.includes(line.worker as number), 15_000);
    const replacement = startedWorkers().find((pid) => !workerPids.includes(pid)) as number;
    await listening(replacement);
    workerPids = [workerPids[1] as number, replacement];
    const pids = await servingPids(2);
    assert.deepEqual([...pids].sort(), [...workerPids].sort());
    assert.equal(isRunning(victim), false);
  });

  it('answers or promptly resets every request when a worker is killed under a steady stream of them, and replaces it', async () => {
    const stream = new RequestStream(server.port);
    const victim = workerPids[0] as number;
    const startedEarlier = new Set(startedWorkers());
    await stream.untilAnswered(20);
    process.kill(victim, 'SIGKILL');
    await server.waitForLog((line) => line.msg.startsWith('worker died') && line.worker === victim);
    const started = await server.waitForLog((line) => line.msg === 'worker started' && !startedEarlier.has(line.worker as number), 15_000);
    const replacement = started.worker as number;
    await listening(replacement);
    await stream.untilAnswered(stream.answered + 20);
    const outcomes = await stream.stop();
    assert.deepEqual(outcomes.hung, [], 'requests that got neither an answer nor an error');
    for (const code of outcomes.errors) assert.ok(['ECONNRESET', 'EPIPE'].includes(code), `unexpected error ${code}`);
    assert.ok(outcomes.answered > 40);
    workerPids = [workerPids[1] as number, replacement];
    const pids = await servingPids(2);
    assert.deepEqual([...pids].sort(), [...workerPids].sort());
  });

  it('on SIGTERM, lets a request in flight finish, stops every worker and exits 0', async () => {
    const held = holdTokenRequest(server);
    const arrived = await server.waitForLog((line) => line.reqId === held.requestId && line.msg === 'incoming request');
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.pid === arrived.pid && line.msg === 'shutting down');
    const response = await held.finish();
    assert.equal(response.status, 200, response.body);
    assert.ok(JSON.parse(response.body).access_token);
    assert.equal(await server.exitCode(), 0);
    for (const pid of workerPids) assert.equal(isRunning(pid), false, `worker ${pid} still running`);
    assert.equal(server.stderr, '');
  });
});
