import { connect, createServer, type Server } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dropPostgresSchema, freshPostgresUrl, POSTGRES_URL, stores } from '../support/stores.ts';
import { freePort, type LogLine, ServerProcess, START_TIMEOUT_MS, startServer, useServerSandbox } from './process.ts';

/*
 * What the server says and does at start before it can serve: waiting for a
 * PostgreSQL that is not up yet, giving up on one that never comes, and
 * telling the operator how to make the tenant a production store lacks.
 */

const isAttemptLine = (line: LogLine) => line.level === 40 && line.msg.startsWith('database unreachable at attempt');

/** A port that refuses connections until `open` is called, then forwards each to PostgreSQL. */
class LatePostgres {
  private readonly server: Server;

  constructor(readonly port: number) {
    const upstream = new URL(POSTGRES_URL);
    this.server = createServer((client) => {
      const database = connect(Number(upstream.port || 5432), upstream.hostname);
      client.on('error', () => database.destroy());
      database.on('error', () => client.destroy());
      client.pipe(database).pipe(client);
    });
  }

  /** The store URL of a fresh schema, reached through this port. */
  urlOf(postgresUrl: string): string {
    const url = new URL(postgresUrl);
    url.port = String(this.port);
    return url.toString();
  }

  open(): void {
    this.server.listen(this.port, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('start-up with PostgreSQL unreachable', { timeout: 120_000 }, () => {
  let server: ServerProcess | undefined;
  afterEach(() => server?.kill());

  it('tries again with back-off for DATABASE_START_TIMEOUT_SECONDS, a line per try, then exits 1 with one line', async () => {
    const closedPort = await freePort();
    server = new ServerProcess(await freePort(), {
      DATABASE_URL: `postgres://root@127.0.0.1:${closedPort}/test`,
      DATABASE_START_TIMEOUT_SECONDS: '2',
    });
    assert.equal(await server.exitCode(60_000), 1);
    const gaveUpAt = Date.now();

    const attempts = server.logLines().filter(isAttemptLine);
    assert.ok(attempts.length >= 2, `expected several attempt lines, got ${server.stdout}`);
    assert.match(attempts[0]?.msg ?? '', /attempt 1 \(connect ECONNREFUSED .*\); next try in 0\.5 s$/);
    assert.match(attempts[1]?.msg ?? '', /attempt 2 .*; next try in 1\.0 s$/);
    const waitedMs = gaveUpAt - (attempts[0] as LogLine).time;
    assert.ok(waitedMs >= 1_500 && waitedMs < 8_000, `gave up ${waitedMs} ms after the first attempt`);

    const errorLines = server.stderr.trimEnd().split('\n');
    assert.equal(errorLines.length, 1, server.stderr);
    assert.match(errorLines[0] as string, /^Start-up failed: database still unreachable after 2 s and \d+ attempts: connect ECONNREFUSED/);
  });

  it('with DATABASE_START_TIMEOUT_SECONDS=0 tries once', async () => {
    server = new ServerProcess(await freePort(), {
      DATABASE_URL: `postgres://root@127.0.0.1:${await freePort()}/test`,
      DATABASE_START_TIMEOUT_SECONDS: '0',
    });
    assert.equal(await server.exitCode(60_000), 1);
    assert.deepEqual(server.logLines().filter(isAttemptLine), []);
    assert.match(server.stderr, /^Start-up failed: database unreachable: connect ECONNREFUSED \S+\n$/);
  });
});

const skipPostgres = stores.includes('postgres') ? false : `PostgreSQL unreachable at ${POSTGRES_URL}`;

describe('start-up against a PostgreSQL that refuses the database', { skip: skipPostgres, timeout: 120_000 }, () => {
  let server: ServerProcess | undefined;
  afterEach(() => server?.kill());

  it('exits 1 at once: a missing database is a mistake, not worth waiting for', async () => {
    const missing = new URL(POSTGRES_URL);
    missing.pathname = '/jobspace_no_such_database';
    server = new ServerProcess(await freePort(), { DATABASE_URL: missing.toString(), DATABASE_START_TIMEOUT_SECONDS: '60' });
    assert.equal(await server.exitCode(30_000), 1);
    assert.deepEqual(server.logLines().filter(isAttemptLine), []);
    assert.match(server.stderr, /^Start-up failed: database "jobspace_no_such_database" does not exist\n$/);
  });
});

describe('start-up with PostgreSQL coming up late', { skip: skipPostgres, timeout: 120_000 }, () => {
  let server: ServerProcess | undefined;
  let late: LatePostgres;
  const { url, schema } = freshPostgresUrl();

  before(async () => {
    late = new LatePostgres(await freePort());
  });
  after(async () => {
    server?.kill();
    await late.close();
    await dropPostgresSchema(schema);
  });

  it('keeps trying until it answers, then serves /health/ready 200', async () => {
    server = new ServerProcess(await freePort(), { DATABASE_URL: late.urlOf(url), DATABASE_START_TIMEOUT_SECONDS: '30' });
    // Opened once the server has been refused, whatever its own start-up took.
    await server.waitForLog(isAttemptLine, START_TIMEOUT_MS);
    setTimeout(() => late.open(), 1_000);
    await server.waitUntilReady();
    assert.equal((await server.send('GET', '/health/ready')).status, 200);
  });
});

describe('start-up without a tenant', { timeout: 120_000 }, () => {
  const sandbox = useServerSandbox('jobspace-startup-');
  const hintsOf = (started: ServerProcess) => started.logLines().filter((line) => line.msg.includes('nobody can get a token'));

  it('in production on a new store says in one line which jobspace commands make one', async () => {
    const server = (sandbox.server = await startServer({ NODE_ENV: 'production', DATABASE_URL: sandbox.sqliteUrl('production') }));
    // The hint follows listening, by one query of the store.
    await server.waitForLog((line) => line.msg.includes('nobody can get a token'));
    const [hint, ...more] = hintsOf(server);
    assert.deepEqual(more, []);
    assert.equal(hint?.level, 40);
    assert.match(hint?.msg ?? '', /^no organisation or API client yet, .*npx jobspace org create .* && npx jobspace client create /);
  });

  it('says nothing of the kind when it made the demo tenant', async () => {
    const server = (sandbox.server = await startServer({ DATABASE_URL: sandbox.sqliteUrl('demo') }));
    assert.match(server.stdout, /Demo tenant created/);
    assert.deepEqual(hintsOf(server), []);
  });
});
