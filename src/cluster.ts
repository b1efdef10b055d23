import cluster, { type Worker } from 'node:cluster';
import type { Log } from './process-log.ts';

/*
 * The cluster primary: it serves nothing itself but METRICS_PORT (the sum of
 * the workers' metrics, src/server.ts). It forks the workers, which
 * share the port and each build the whole app; replaces a worker that dies;
 * and on SIGTERM or SIGINT passes the signal on and exits once every worker
 * has drained. Nothing is shared between workers but the database.
 */

/** Longer than a worker's own drain bound, so the workers time out first. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * How long to wait before replacing a worker that died: 0.5 s, doubling with
 * each death in the last minute; null after more than five, when dying is no
 * longer bad luck and the supervisor above us should hear of it.
 */
export class RestartBudget {
  private readonly deaths: number[] = [];

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
    private readonly firstBackOffMs = 500,
  ) {}

  backOffAfterDeath(now: number): number | null {
    this.deaths.push(now);
    while ((this.deaths[0] as number) <= now - this.windowMs) this.deaths.shift();
    if (this.deaths.length > this.limit) return null;
    return this.firstBackOffMs * 2 ** (this.deaths.length - 1);
  }
}

/*
 * Node's default on Linux is round-robin: the primary accepts each connection
 * and passes it to a worker. A connection passed to a worker as it died, or
 * held for one, was never answered (measured: one hung request in a few
 * thousand around each SIGKILL). With SCHED_NONE the workers accept from the
 * shared socket themselves: a connection waits in the kernel's queue until a
 * live worker takes it, and a dying worker's own are reset by the kernel.
 * The kernel spreads connections less evenly between idle workers; under load,
 * a busy worker accepts less and the others more.
 */
function acceptInWorkers(): void {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
}

/** Forks `count` workers running this same entry point, and looks after them until a signal stops them. */
export function superviseWorkers(count: number, log: Log): void {
  const live = new Set<Worker>();
  const restarts = new RestartBudget();
  const pendingForks = new Set<NodeJS.Timeout>();
  let stopping: { exitCode: number } | null = null;

  const exitWhenNoneLeft = () => {
    if (stopping && live.size === 0) process.exit(stopping.exitCode);
  };

  const stopAll = (exitCode: number, signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = { exitCode };
    log.info({ signal }, 'stopping workers');
    for (const timer of pendingForks) clearTimeout(timer);
    pendingForks.clear();
    for (const worker of live) worker.process.kill(signal);
    const force = setTimeout(() => {
      log.error(`workers still running ${STOP_TIMEOUT_MS / 1000} s after ${signal}; killing them`);
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    force.unref();
    exitWhenNoneLeft();
  };

  const replaceLater = (fields: Record<string, unknown>) => {
    const backOff = restarts.backOffAfterDeath(Date.now());
    if (backOff === null) {
      log.fatal(fields, 'workers keep dying; giving up');
      stopAll(1, 'SIGTERM');
      return;
    }
    log.error(fields, `worker died; replacing it in ${backOff} ms`);
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      fork();
    }, backOff);
    pendingForks.add(timer);
  };

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    log.info({ worker: worker.process.pid }, 'worker started');
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      const fields = { worker: worker.process.pid, code, signal };
      if (!stopping) return replaceLater(fields);
      // A worker that could not drain in time makes the whole stop a failure.
      if (code !== 0) stopping.exitCode = 1;
      log[code === 0 ? 'info' : 'warn'](fields, 'worker stopped');
      exitWhenNoneLeft();
    });
  };

  process.on('SIGTERM', () => stopAll(0, 'SIGTERM'));
  process.on('SIGINT', () => stopAll(0, 'SIGINT'));
  acceptInWorkers();
  for (let started = 0; started < count; started += 1) fork();
}
