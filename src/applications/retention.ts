import type { FastifyBaseLogger } from 'fastify';
import * as applications from './repository.ts';
import { eraseApplication, type ApplicationServices } from './service.ts';

/*
 * The server erases applications older than APPLICATION_RETENTION_DAYS by
 * itself. Every worker runs the sweep; they may overlap, since each erasure
 * is one conditional statement (only one sweep erases a row; removing an
 * already removed file is nothing). The sweep also removes CV files that no
 * application names (a job purged for good takes its applications along,
 * and a crash between storing a CV and its commit leaves one), once older
 * than an hour, and forgets the deliveries of applications gone that way.
 */
const BATCH = 200;
const DAY_MS = 24 * 60 * 60 * 1000;
/* A file this recent may belong to an apply not yet committed. */
const FILE_GRACE_MS = 60 * 60 * 1000;
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_SWEEP_MS = 60 * 1000;

export interface SweepOutcome {
  readonly erased: number;
  readonly files: number;
}

export async function sweepApplications(services: ApplicationServices, now = Date.now()): Promise<SweepOutcome> {
  const before = new Date(now - services.retentionDays * DAY_MS).toISOString();
  let erased = 0;
  for (;;) {
    const ids = await applications.findApplicationsMadeBefore(services.db, before, BATCH);
    for (const id of ids) if (await eraseApplication(services, id)) erased += 1;
    if (ids.length < BATCH) break;
  }
  const files = await removeUnnamedCvFiles(services, now);
  for (;;) {
    const gone = await applications.findDeliveriesOfMissingApplications(services.db, BATCH);
    if (gone.length > 0) await services.transact((tx) => applications.forgetDeliveriesOf(tx, gone));
    if (gone.length < BATCH) break;
  }
  return { erased, files };
}

async function removeUnnamedCvFiles(services: ApplicationServices, now: number): Promise<number> {
  let removed = 0;
  let batch: string[] = [];
  const removeBatch = async () => {
    const named = await applications.findNamedCvKeys(services.db, batch);
    for (const key of batch.filter((candidate) => !named.has(candidate))) {
      await services.files.delete(key);
      removed += 1;
    }
    batch = [];
  };
  for await (const { key, putAt } of services.files.list()) {
    if (now - putAt.getTime() < FILE_GRACE_MS) continue;
    batch.push(key);
    if (batch.length === BATCH) await removeBatch();
  }
  await removeBatch();
  return removed;
}

/** Runs the sweep a minute after start and hourly after that; stop() waits for a sweep under way. */
export function startApplicationSweep(services: ApplicationServices, log: FastifyBaseLogger) {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = sweepApplications(services)
      .then((outcome) => {
        if (outcome.erased > 0 || outcome.files > 0) log.info(outcome, 'application retention sweep');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'application retention sweep failed; it runs again within the hour'));
  };
  const first = setTimeout(run, FIRST_SWEEP_MS);
  const every = setInterval(run, SWEEP_INTERVAL_MS);
  first.unref();
  every.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
