import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, freePort, issueToken, type Response, type ServerProcess, startServer, tokenRequestBody } from './process.ts';

/*
 * A PostgreSQL cluster of this test's own, on a port of its own, so that it
 * can be stopped under a running server (the shared cluster on 5432 never
 * is). PostgreSQL refuses to run as root, so as root its tools run as the
 * postgres OS user.
 */

const run = promisify(execFile);

/** The newest PostgreSQL's bin folder, or null when none is installed. */
function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(root, newest, 'bin') : null;
}

class ThrowawayCluster {
  readonly folder = mkdtempSync(join(tmpdir(), 'jobspace-pg-'));
  readonly data = join(this.folder, 'data');
  private readonly asRoot = process.getuid?.() === 0;

  constructor(private readonly bin: string, readonly port: number) {}

  get url(): string {
    return `postgres://root@127.0.0.1:${this.port}/postgres`;
  }

  async create(): Promise<void> {
    if (this.asRoot) {
      const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout)));
      chownSync(this.folder, uid as number, gid as number);
    } else {
      mkdirSync(this.data);
    }
    await this.tool('initdb', ['-D', this.data, '-A', 'trust', '-U', 'root', '--no-sync']);
  }

  start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.folder} -c fsync=off`;
    return this.tool('pg_ctl', ['-D', this.data, '-l', join(this.folder, 'log'), '-o', options, '-w', '-t', '30', 'start']);
  }

  stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    return this.tool('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '30', 'stop']);
  }

  /**
   * Freezes every process of the cluster with SIGSTOP: its TCP connections and
   * listening socket stay open, and nothing answers on them. The postmaster
   * first, so that it starts no backend meanwhile.
   */
  async freeze(): Promise<void> {
    const postmaster = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    this.frozen = [postmaster];
    process.kill(postmaster, 'SIGSTOP');
    const { stdout } = await run('pgrep', ['-P', String(postmaster)]);
    for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
      this.frozen.push(pid);
      process.kill(pid, 'SIGSTOP');
    }
  }

  /** Lets every frozen process run again; never throws. */
  thaw(): void {
    for (const pid of this.frozen.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone meanwhile.
      }
    }
  }

  private frozen: number[] = [];

  /** Stops the cluster if it runs, and deletes it; never throws. */
  async remove(): Promise<void> {
    this.thaw();
    if (existsSync(join(this.data, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async tool(name: string, args: string[]): Promise<void> {
    const command = join(this.bin, name);
    const [file, fileArgs] = this.asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    await run(file, fileArgs, { cwd: this.folder, timeout: 60_000 });
  }
}

const bin = findPostgresBin();
const skip =
  bin === null && process.env.CI !== 'true'
    ? 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin (initdb): skipping the outage test'
    : false;

/* Short bounds, so that a frozen database is answered for well within the client's own 10 s timeout. */
const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 2_000;

function assertUnavailableEnvelope(response: Response): void {
  assert.equal(response.status, 503, response.body);
  assert.equal(response.headers['retry-after'], '5');
  const body = JSON.parse(response.body);
  assert.deepEqual(Object.keys(body), ['data']);
  assert.deepEqual(Object.keys(body.data).sort(), ['message', 'status_code']);
  assert.equal(body.data.status_code, 503);
  assert.equal(typeof body.data.message, 'string');
}

describe('server on PostgreSQL through an outage', { skip, timeout: 180_000 }, () => {
  let cluster: ThrowawayCluster | undefined;
  let server: ServerProcess | undefined;
  let token: string;

  before(async () => {
    if (bin === null) throw new Error('CI must run the PostgreSQL outage test, but initdb is not under /usr/lib/postgresql/*/bin');
    cluster = new ThrowawayCluster(bin, await freePort());
    await cluster.create();
    await cluster.start();
    server = await startServer({
      LOG_LEVEL: 'warn',
      DATABASE_URL: cluster.url,
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
  });
  after(async () => {
    server?.kill();
    await cluster?.remove();
  });

  const jobs = () => (server as ServerProcess).send('GET', '/api/job', { headers: bearer(token) });

  it('serves while the database is up', async () => {
    token = (await issueToken(server as ServerProcess)).token;
    assert.equal((await jobs()).status, 200);
  });

  it('answers 503 in the error envelope while the database is down, and stays up', async () => {
    await (cluster as ThrowawayCluster).stop('fast');
    assertUnavailableEnvelope(await jobs());

    const tokenResponse = await (server as ServerProcess).send('POST', '/oauth/token', {
      headers: { 'content-type': 'application/json' },
      body: tokenRequestBody(),
    });
    assert.equal(tokenResponse.status, 503, tokenResponse.body);
    assert.equal(JSON.parse(tokenResponse.body).data.status_code, 503);

    const ready = await (server as ServerProcess).send('GET', '/health/ready');
    assert.equal(ready.status, 503);
    assert.equal((await (server as ServerProcess).send('GET', '/health/live')).status, 200);
    assert.equal((server as ServerProcess).child.exitCode, null);
  });

  it('serves again once the database is back, without a restart', async () => {
    await (cluster as ThrowawayCluster).start();
    assert.equal((await jobs()).status, 200);
    assert.equal((await (server as ServerProcess).send('GET', '/health/ready')).status, 200);
    assert.ok((await issueToken(server as ServerProcess)).token);
  });

  it('answers 503 in the envelope while the database is frozen (connected, answering nothing), and serves again once it thaws', async () => {
    const frozen = cluster as ThrowawayCluster;
    await frozen.freeze();
    try {
      // The server's own bounds answer these; server.send gives up, failing the test, after 10 s of silence.
      const [read, ready, live] = await Promise.all([
        jobs(),
        (server as ServerProcess).send('GET', '/health/ready'),
        (server as ServerProcess).send('GET', '/health/live'),
      ]);
      assertUnavailableEnvelope(read);
      assert.equal(ready.status, 503);
      assert.equal(live.status, 200);
      // A second read, once the pool's connections have timed out, is bounded too.
      assertUnavailableEnvelope(await jobs());
    } finally {
      frozen.thaw();
    }
    assert.equal((await jobs()).status, 200);
    assert.equal((await (server as ServerProcess).send('GET', '/health/ready')).status, 200);
  });

  it('logged the outage as warnings, never as an unhandled error', () => {
    const lines = (server as ServerProcess).logLines();
    assert.ok(lines.some((line) => line.msg === 'store unavailable'));
    assert.deepEqual(lines.filter((line) => line.level >= 50), []);
    assert.equal((server as ServerProcess).stderr, '');
  });

  it('closes its pool and exits 0 on SIGTERM', async () => {
    (server as ServerProcess).child.kill('SIGTERM');
    assert.equal(await (server as ServerProcess).exitCode(), 0);
  });
});
