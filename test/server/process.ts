import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, V1 } from '../support/app.ts';
import { freePort } from '../../bench/http/processes.ts';

/*
 * The real server as a child process (`node --import tsx src/server.ts`, or
 * another command such as `npm start`),
 * spoken to over HTTP on a fresh connection per request, so that a cluster's
 * primary hands successive requests to different workers. With LOG_LEVEL=info
 * every request's log line carries pino's `pid` and the `x-request-id` the
 * test chose, which is how a test sees which process served it.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How long a server may take to start: tsx compiles the sources in every process. */
export const START_TIMEOUT_MS = 60_000;

// One way to find a free port, shared with the benchmark's child servers.
export { freePort };

export interface LogLine {
  level: number;
  /** Milliseconds since the epoch. */
  time: number;
  pid: number;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The request id the test sent, to find the request's log lines. */
  requestId: string;
}

/** The TypeScript sources through tsx: what most tests run. */
export const TSX_SERVER: readonly string[] = [process.execPath, '--import', 'tsx', 'src/server.ts'];

/** What operators run: the built JavaScript, through bin/serve.js. */
export const NPM_START: readonly string[] = ['npm', 'start'];

export class ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  stdout = '';
  stderr = '';
  private readonly waiters = new Set<() => void>();

  constructor(port: number, env: Record<string, string>, command: readonly string[] = TSX_SERVER) {
    this.port = port;
    const [file, ...args] = command as [string, ...string[]];
    this.child = spawn(file, args, {
      cwd: ROOT,
      // A process group of its own, so cleanup can reach workers a dead primary left behind.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        JOBSPACE_DEMO_CLIENT_ID: DEMO.clientId,
        JOBSPACE_DEMO_CLIENT_SECRET: DEMO.clientSecret,
        JOBSPACE_DEMO_USERNAME: DEMO.username,
        JOBSPACE_DEMO_PASSWORD: DEMO.password,
        // Required in production (docs/contract.md, "Webhooks"); outside it the server would make a key file.
        WEBHOOK_SIGNING_KEY: 'server-test-signing-key-of-at-least-32-bytes',
        // A test machine busy with other suites delays the event loop; that must not turn a test's request into a 503.
        LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
        LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.received(() => (this.stdout += chunk)));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.received(() => (this.stderr += chunk)));
    this.child.on('exit', () => this.received(() => undefined));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /**
   * The JSON log lines written so far; the demo tenant banner and other text
   * are skipped, and so are a line still being written and one torn by a
   * worker killed in the middle of it.
   */
  logLines(): LogLine[] {
    const complete = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return complete.split('\n').filter((line) => line.startsWith('{')).flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the first log line matching, failing after `timeoutMs` or if the process exits. */
  async waitForLog(matches: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return this.waitFor(() => this.logLines().find(matches), timeoutMs, 'a matching log line');
  }

  /** Polls until /health/ready answers 200. */
  async waitUntilReady(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited with ${this.child.exitCode}: ${this.stderr}`);
      const response = await this.send('GET', '/health/ready').catch(() => null);
      if (response?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`server not ready after ${timeoutMs} ms\n${this.stdout}\n${this.stderr}`);
  }

  /** One request on a connection of its own. */
  send(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port: this.port, method, path, agent: false, timeout: 10_000, headers: { 'x-request-id': requestId, ...options.headers } },
        (incoming) => {
          let body = '';
          incoming.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body, requestId }));
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  }

  /** The pid of the process that served a request, from its `request completed` log line. */
  async servedBy(response: Response): Promise<number> {
    const line = await this.waitForLog((entry) => entry.reqId === response.requestId && entry.msg === 'request completed');
    return line.pid;
  }

  async exitCode(timeoutMs = 20_000): Promise<number | null> {
    await this.waitFor(() => (this.child.exitCode !== null || this.child.signalCode !== null ? true : undefined), timeoutMs, 'the process to exit', true);
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

  private received(update: () => void): void {
    update();
    for (const wake of this.waiters) wake();
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string, evenAfterExit = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) return settle(() => resolve(found));
        if (!evenAfterExit && this.child.exitCode !== null) {
          settle(() => reject(new Error(`server exited with ${this.child.exitCode} while waiting for ${what}\n${this.stderr}`)));
        }
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
      const settle = (done: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        done();
      };
      this.waiters.add(check);
      check();
    });
  }
}

export interface StartOptions {
  readonly command?: readonly string[];
  readonly startTimeoutMs?: number;
}

/** Starts the server and waits until it is ready; kills it if it never gets there. */
export async function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<ServerProcess> {
  const server = new ServerProcess(await freePort(), env, options.command);
  try {
    await server.waitUntilReady(options.startTimeoutMs);
  } catch (error) {
    server.kill();
    throw error;
  }
  return server;
}

export function tokenRequestBody(): string {
  return JSON.stringify({
    grant_type: 'password',
    client_id: DEMO.clientId,
    client_secret: DEMO.clientSecret,
    username: DEMO.username,
    password: DEMO.password,
  });
}

export async function issueToken(server: ServerProcess): Promise<{ token: string; response: Response }> {
  const response = await server.send('POST', '/oauth/token', {
    headers: { 'content-type': 'application/json' },
    body: tokenRequestBody(),
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.body}`);
  return { token: JSON.parse(response.body).access_token as string, response };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: V1 });

export interface HeldRequest {
  readonly requestId: string;
  /** Sends the rest of the body and waits for the answer. */
  finish(): Promise<Response>;
}

/** A token request sent up to half its body, so it stays in flight until `finish` is called. */
export function holdTokenRequest(server: ServerProcess): HeldRequest {
  const requestId = randomUUID();
  const body = Buffer.from(tokenRequestBody());
  const half = Math.floor(body.length / 2);
  let outgoing: ReturnType<typeof request>;
  const answered = new Promise<Response>((resolve, reject) => {
    outgoing = request(
      {
        host: '127.0.0.1', port: server.port, method: 'POST', path: '/oauth/token', agent: false, timeout: 20_000,
        headers: { 'x-request-id': requestId, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text, requestId }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('held token request timed out')));
    outgoing.on('error', reject);
    outgoing.write(body.subarray(0, half));
  });
  // Kept from being reported as unhandled before `finish` is awaited.
  answered.catch(() => undefined);
  return {
    requestId,
    finish() {
      outgoing.end(body.subarray(half));
      return answered;
    },
  };
}

/** True while a process with this id exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once a new connection to the port is refused, false if it is still accepted after `timeoutMs`. */
export async function refusesConnections(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

export interface ServerSandbox {
  /** The server a test started last; killed after each test. */
  server: ServerProcess | undefined;
  /** A SQLite store of this name in the suite's folder, removed after the suite. */
  sqliteUrl(name: string): string;
}

/** A suite's temporary folder and the servers its tests start, cleaned up by the suite's hooks. */
export function useServerSandbox(prefix: string): ServerSandbox {
  let folder = '';
  const sandbox: ServerSandbox = { server: undefined, sqliteUrl: (name) => `sqlite:${join(folder, `${name}.sqlite`)}` };
  before(() => {
    folder = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => sandbox.server?.kill());
  after(() => rmSync(folder, { recursive: true, force: true }));
  return sandbox;
}

/** Sends SIGTERM with a token request in flight: the server stops accepting connections, answers that request, and exits 0. */
export async function assertDrainsOnSigterm(server: ServerProcess): Promise<void> {
  const held = holdTokenRequest(server);
  await server.waitForLog((line) => line.reqId === held.requestId && line.msg === 'incoming request');
  server.child.kill('SIGTERM');
  await server.waitForLog((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM');
  assert.ok(await refusesConnections(server.port, 5_000), 'new connections still accepted while draining');
  const response = await held.finish();
  assert.equal(response.status, 200, response.body);
  assert.ok(JSON.parse(response.body).access_token);
  assert.equal(await server.exitCode(), 0);
}
