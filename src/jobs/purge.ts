import type { Db } from '../db/types.ts';
import type { FullTextEngine } from '../search/engine.ts';
import type { MediaStorage } from '../media/storage.ts';
import { findStorageKeysOfJobs } from '../media/repository.ts';
import { removeUnreferencedLogos, sweepUnreferencedLogos } from '../media/logos.ts';
import { findJobsDeletedBefore, hardDeleteJobs } from './repository.ts';
import { insertPurgeEntries } from '../audit/repository.ts';
import { nowIso } from '../clock.ts';

/* Jobs per transaction: a long purge takes the write lock in short turns beside a running server. */
const PURGE_BATCH = 500;

export interface PurgeOutcome {
  readonly jobs: number;
  /** Logo files removed: the purged jobs' that no other job shows, and any a failed write left behind. */
  readonly files: number;
}

/*
 * Deletes for good the jobs deleted before the start of `day` (UTC): their
 * rows with their sites and media rows, and what the full-text index keeps
 * of them (FTS5 rows on SQLite; on PostgreSQL the vectors are columns of
 * the rows). Then the files no job names any more: the purged jobs' at once,
 * the rest by a sweep. Each job purged is audited (job.purge) in its batch's transaction.
 */
export async function purgeDeletedJobs(db: Db, fullText: FullTextEngine, storage: MediaStorage, day: string): Promise<PurgeOutcome> {
  const before = `${day}T00:00:00.000Z`;
  let jobs = 0;
  let files = 0;
  for (;;) {
    const purged = await db.transaction().execute(async (tx) => {
      const ids = await findJobsDeletedBefore(tx, before, PURGE_BATCH);
      const keys = await findStorageKeysOfJobs(tx, ids);
      await insertPurgeEntries(tx, ids, nowIso());
      await hardDeleteJobs(tx, ids);
      await fullText.indexJobs(tx, ids);
      return { ids, keys };
    });
    jobs += purged.ids.length;
    files += await removeUnreferencedLogos(db, storage, purged.keys);
    if (purged.ids.length < PURGE_BATCH) break;
  }
  return { jobs, files: files + (await sweepUnreferencedLogos(db, storage)) };
}
