import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials } from './dataset.ts';

/*
 * The processes a run starts: the real server, built and run as `npm start`
 * runs it (`node dist/server.js`), and the bare node:http ceiling. Each runs
 * in a process group of its own, so that stopping it also reaches a
 * cluster's workers.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One request, answered in full as bytes. */
export function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 30_000 }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A vendor token for the demo user, by the password grant; a 503 (the server shedding load) is retried when it says. */
export async function issueToken(port: number, credentials: Credentials): Promise<string> {
  const body = JSON.stringify({
    grant_type: 'password',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    username: credentials.username,
    password: credentials.password,
  });
  for (let attempt = 1; ; attempt += 1) {
    const answer = await send(port, 'POST', '/oauth/token', { 'content-type': 'application/json' }, body);
    if (answer.status === 200) return (JSON.parse(answer.body.toString()) as { access_token: string }).access_token;
    if (answer.status !== 503 || attempt === 10) throw new Error(`the token request answered ${answer.status}: ${answer.body.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers['retry-after'] ?? 1) * 1000));
  }
}

/** The pids below `pid`: a cluster's workers. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(' ').filter(Boolean).map(Number)) found.push(child, ...descendantsOf(child));
  }
  return found;
}

/** CPU time used so far by these processes, in clock ticks (utime + stime of /proc/<pid>/stat). */
function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The command name may hold spaces; the fields after it do not.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone: it uses nothing more.
    }
  }
  return ticks;
}

const QUIET_WINDOW_MS = 250;
/** At most this many ticks (at 100 a second: 20 ms) of CPU in a window counts as quiet. */
const QUIET_TICKS = 2;

/**
 * Waits until the processes stop using CPU: requests a finished autocannon
 * run left in flight (a token request costs one scrypt hash) must not be
 * served in the next run's time. False if they are still busy after `timeoutMs`.
 */
export async function waitUntilQuiet(pids: () => readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let before = cpuTicks(pids());
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const now = cpuTicks(pids());
    if (now - before <= QUIET_TICKS) return true;
    before = now;
  }
  return false;
}

export class ChildServer {
  readonly child: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    args: readonly string[],
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The last few kilobytes, to explain a failure.
    const keep = (chunk: string) => (this.output = (this.output + chunk).slice(-8000));
    this.child.stdout?.setEncoding('utf8').on('data', keep);
    this.child.stderr?.setEncoding('utf8').on('data', keep);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The server process and its workers: whose memory counts. */
  pids(): number[] {
    return [this.pid, ...descendantsOf(this.pid)];
  }

  get recentOutput(): string {
    return this.output;
  }

  /** Waits until `path` answers 200 and, for a cluster, every worker has started. */
  async waitUntilReady(path: string, workers = 1): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.output}`);
      const answer = await send(this.port, 'GET', path).catch(() => null);
      const workersUp = workers <= 1 || descendantsOf(this.pid).length >= workers;
      if (answer?.status === 200 && workersUp) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} not ready after ${START_TIMEOUT_MS / 1000} s:\n${this.output}`);
  }

  /** SIGTERM, so the server drains and writes its profile; SIGKILL to the group if it lingers. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.kill();
    return this.child.exitCode;
  }

  /** Kills whatever of the process group is left; safe to call more than once. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export interface JobServerOptions {
  readonly databaseUrl: string;
  readonly workers: string;
  readonly env: Record<string, string>;
  readonly cpuProfileDir: string | null;
}

/** The processes WORKERS asks for, as the server's configuration counts them. */
export function workerCount(workers: string): number {
  return workers === 'auto' ? availableParallelism() : Number(workers);
}

/** Compiles the server to dist/ when src/ changed since the last build, as `npm start` does, so that a run measures the code as it is now. */
export function buildServer(): void {
  execFileSync(process.execPath, [join(ROOT, 'bin', 'build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
}

/** Starts the built server (see buildServer) on a free port, or on `port` when restarting it. */
export async function startJobServer(options: JobServerOptions, port?: number): Promise<ChildServer> {
  port ??= await freePort();
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const server = new ChildServer('the job server', port, [...profiling, '--enable-source-maps', 'dist/server.js'], {
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'warn',
    // The load comes from one token and one address; a limit would measure the limiter.
    RATE_LIMIT_PER_MINUTE: '0',
    TOKEN_RATE_LIMIT_PER_MINUTE: '0',
    WORKERS: options.workers,
  });
  try {
    await server.waitUntilReady('/health/ready', workerCount(options.workers));
  } catch (error) {
    server.kill();
    throw error;
  }
  return server;
}

/** The bare node:http server answering each URL with its captured answer (bench/http/ceiling.ts); ready once `readyPath` answers 200. */
export async function startCeiling(answersFile: string, readyPath: string): Promise<ChildServer> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./ceiling.ts', import.meta.url));
  const server = new ChildServer('the ceiling server', port, ['--import', 'tsx', script, answersFile], { PORT: String(port) });
  try {
    await server.waitUntilReady(readyPath);
  } catch (error) {
    server.kill();
    throw error;
  }
  return server;
}
