import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, freePort, issueToken, START_TIMEOUT_MS, startServer, useServerSandbox, type ServerProcess } from './process.ts';
import { freshRedisPrefix, REDIS_URL, redisSkip } from '../support/redis.ts';

/*
 * The rate limits of real server processes: counted once in Redis however
 * many workers serve a client, and served uncounted while Redis cannot be
 * reached. Which worker served a request is read from its log line
 * (test/server/workers.test.ts).
 */

const LIMIT = 6;

describe('server with WORKERS=2 and REDIS_URL', { skip: redisSkip, timeout: 180_000 }, () => {
  const sandbox = useServerSandbox('jobspace-shared-limits-');

  async function startWorkers(): Promise<ServerProcess> {
    const env = {
      WORKERS: '2', LOG_LEVEL: 'info', DATABASE_URL: sandbox.sqliteUrl('limits'),
      REDIS_URL, REDIS_KEY_PREFIX: freshRedisPrefix(), RATE_LIMIT_PER_MINUTE: String(LIMIT),
    };
    const server = (sandbox.server = await startServer(env));
    const workers = server.logLines().filter((line) => line.msg === 'worker started').map((line) => line.worker as number);
    // Ready means one worker listens; both must before the requests are spread.
    await Promise.all(workers.map((pid) => server.waitForLog((line) => line.pid === pid && line.msg.startsWith('Server listening'), START_TIMEOUT_MS)));
    return server;
  }

  it(`GET /api/job: refuses a token with 429 after ${LIMIT} requests in total over both workers, not ${LIMIT} per worker`, async () => {
    const server = await startWorkers();
    const { token } = await issueToken(server);
    const servedBy = new Map<number, Set<number>>([[200, new Set()], [429, new Set()]]);
    const remaining: string[] = [];
    // Fresh connections, so that the primary hands them to both workers in turn.
    for (let sent = 0; sent < 40 && (servedBy.get(429) as Set<number>).size < 2; sent += 1) {
      const response = await server.send('GET', '/api/job', { headers: bearer(token) });
      assert.ok(response.status === 200 || response.status === 429, `${response.status} ${response.body}`);
      servedBy.get(response.status)?.add(await server.servedBy(response));
      if (response.status === 200) remaining.push(String(response.headers['x-ratelimit-remaining']));
    }
    assert.equal(servedBy.get(200)?.size, 2, 'both workers served some of the allowed requests');
    assert.equal(servedBy.get(429)?.size, 2, 'both workers refused once the shared count was past the limit');
    assert.deepEqual(remaining, ['5', '4', '3', '2', '1', '0'], 'one count, whichever worker served');
  });
});

describe('server with REDIS_URL unreachable', { timeout: 120_000 }, () => {
  const sandbox = useServerSandbox('jobspace-redis-down-');

  it('serves every request uncounted (fail open) and logs once that Redis is unreachable', async () => {
    const env = {
      LOG_LEVEL: 'info', DATABASE_URL: sandbox.sqliteUrl('down'),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`, RATE_LIMIT_PER_MINUTE: '1', TOKEN_RATE_LIMIT_PER_MINUTE: '1',
    };
    const server = (sandbox.server = await startServer(env));
    const { token } = await issueToken(server);
    await issueToken(server);
    for (let sent = 0; sent < 3; sent += 1) {
      const response = await server.send('GET', '/api/job', { headers: bearer(token) });
      assert.equal(response.status, 200, response.body);
    }
    const outages = server.logLines().filter((line) => line.msg.startsWith('Redis unreachable'));
    assert.equal(outages.length, 1, 'one line for the outage, not one per reconnection');
    assert.equal(outages[0]?.level, 40, 'logged as a warning');
  });
});

/** A TCP relay to Redis that a test can cut and restore on the same port, as an outage would. */
class RedisRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number, private readonly target: URL) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const server = this.server;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

describe('server whose Redis goes away and comes back', { skip: redisSkip, timeout: 120_000 }, () => {
  const sandbox = useServerSandbox('jobspace-redis-outage-');

  it('serves uncounted during the outage, logging its start and end, and counts again after it', async () => {
    const relay = new RedisRelay(await freePort(), new URL(REDIS_URL));
    await relay.open();
    try {
      const env = {
        LOG_LEVEL: 'info', DATABASE_URL: sandbox.sqliteUrl('outage'),
        REDIS_URL: relay.url, REDIS_KEY_PREFIX: freshRedisPrefix(), RATE_LIMIT_PER_MINUTE: '2',
      };
      const server = (sandbox.server = await startServer(env));
      const { token } = await issueToken(server);
      const list = () => server.send('GET', '/api/job', { headers: bearer(token) });
      assert.equal((await list()).headers['x-ratelimit-remaining'], '1');
      await relay.cut();
      await server.waitForLog((line) => line.msg.startsWith('Redis unreachable'));
      for (let sent = 0; sent < 3; sent += 1) assert.equal((await list()).status, 200, 'served past the limit while Redis is away');
      await relay.open();
      await server.waitForLog((line) => line.msg.startsWith('Redis reachable again'));
      assert.equal((await list()).headers['x-ratelimit-remaining'], '0', 'the count kept in Redis goes on');
      assert.equal((await list()).status, 429);
    } finally {
      await relay.cut();
    }
  });
});
