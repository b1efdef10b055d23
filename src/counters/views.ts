import type { FastifyBaseLogger } from 'fastify';
import type { Transact } from '../db/group-commit.ts';
import { raiseCounts } from './repository.ts';

/*
 * Views are counted in memory and written every few seconds, one upsert
 * per job, site and day seen, in one transaction: a board's read of a job
 * then costs a map update, not a write (on SQLite a commit waiting for the
 * disk, and a change that would clear every other process's list caches).
 * The price: a crash loses the views of the last interval.
 */
export const VIEW_FLUSH_MS = 5_000;

export class ViewCounter {
  private pending = new Map<string, { jobId: number; siteId: number; day: string; views: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly transact: Transact,
    private readonly log: FastifyBaseLogger,
    flushMs = VIEW_FLUSH_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  count(jobId: number, siteId: number, day = new Date().toISOString().slice(0, 10)): void {
    const key = `${jobId}:${siteId}:${day}`;
    const seen = this.pending.get(key);
    if (seen) seen.views += 1;
    else this.pending.set(key, { jobId, siteId, day, views: 1 });
  }

  /** Writes the views counted so far; resolves once they are committed (or dropped, logged, on failure). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.transact(async (tx) => {
        for (const { views, ...key } of batch) await raiseCounts(tx, key, { views });
      });
    } catch (error) {
      this.log.warn({ err: error, views: batch.length }, 'job views could not be written; they are dropped');
    }
  }
}
