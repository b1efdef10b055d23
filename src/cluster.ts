import cluster, { type Worker } from 'node:cluster';
import { hostname } from 'node:os';

/*
 * The cluster primary: it serves nothing itself. It forks the workers, which
 * share the port and each build the whole app; replaces a worker that dies;
 * and on SIGTERM or SIGINT passes the signal on and exits once every worker
 * has drained. Nothing is shared between workers but the database.
 */

/** Unexpected worker deaths tolerated per window before the primary gives up. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;
const FIRST_BACK_OFF_MS = 500;
/** Longer than a worker's own drain bound, so the workers time out first. */
const STOP_TIMEOUT_MS = 15_000;

type Level = 'fatal' | 'error' | 'warn' | 'info';
type Log = (level: Level, message: string, fields?: Record<string, unknown>) => void;

const LEVEL_NUMBERS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** JSON lines in pino's shape, so the primary's log reads like the workers'. */
function primaryLog(logLevel: string): Log {
  const threshold = LEVEL_NUMBERS[logLevel] ?? Number.POSITIVE_INFINITY;
  return (level, message, fields = {}) => {
    const number = LEVEL_NUMBERS[level] as number;
    if (number < threshold) return;
    const line = { level: number, time: Date.now(), pid: process.pid, hostname: hostname(), role: 'primary', ...fields, msg: message };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
}

/** Forks `count` workers running this same entry point, and looks after them until a signal stops them. */
export function superviseWorkers(count: number, logLevel: string): void {
  const log = primaryLog(logLevel);
  const live = new Set<Worker>();
  const recentDeaths: number[] = [];
  const pendingForks = new Set<NodeJS.Timeout>();
  let stopping: { exitCode: number } | null = null;

  const exitWhenNoneLeft = () => {
    if (stopping && live.size === 0) process.exit(stopping.exitCode);
  };

  const stopAll = (exitCode: number, signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = { exitCode };
    log('info', 'stopping workers', { signal });
    for (const timer of pendingForks) clearTimeout(timer);
    pendingForks.clear();
    for (const worker of live) worker.process.kill(signal);
    const force = setTimeout(() => {
      log('error', `workers still running ${STOP_TIMEOUT_MS / 1000} s after ${signal}; killing them`);
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    force.unref();
    exitWhenNoneLeft();
  };

  const replaceLater = (fields: Record<string, unknown>) => {
    const now = Date.now();
    recentDeaths.push(now);
    while ((recentDeaths[0] ?? now) < now - RESTART_WINDOW_MS) recentDeaths.shift();
    if (recentDeaths.length > RESTART_LIMIT) {
      log('fatal', `${recentDeaths.length} workers died within ${RESTART_WINDOW_MS / 1000} s; giving up`, fields);
      stopAll(1, 'SIGTERM');
      return;
    }
    const backOff = FIRST_BACK_OFF_MS * 2 ** (recentDeaths.length - 1);
    log('error', `worker died; replacing it in ${backOff} ms`, fields);
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      fork();
    }, backOff);
    pendingForks.add(timer);
  };

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    log('info', 'worker started', { worker: worker.process.pid });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      const fields = { worker: worker.process.pid, code, signal };
      if (!stopping) return replaceLater(fields);
      // A worker that could not drain in time makes the whole stop a failure.
      if (code !== 0) stopping.exitCode = 1;
      log(code === 0 ? 'info' : 'warn', 'worker stopped', fields);
      exitWhenNoneLeft();
    });
  };

  process.on('SIGTERM', () => stopAll(0, 'SIGTERM'));
  process.on('SIGINT', () => stopAll(0, 'SIGINT'));
  for (let started = 0; started < count; started += 1) fork();
}
