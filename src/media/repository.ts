import type { Executor, Tx } from '../db/types.ts';

/** A job's logo as its resource shows it: a stored file (by key) or the URL the vendor gave. */
export interface JobLogo {
  readonly id: number;
  readonly storageKey: string | null;
  readonly url: string | null;
}

/** A logo to record: a stored file with its type, or a URL. */
export type NewLogo = { readonly storageKey: string; readonly contentType: string } | { readonly url: string };

/** Gives the job this logo (null: none); returns the new row and the storage key of a file it no longer names. */
export async function replaceJobLogo(
  tx: Tx,
  jobId: number,
  logo: NewLogo | null,
  now: string,
): Promise<{ logo: JobLogo | null; replacedKey: string | null }> {
  const replaced = await tx
    .deleteFrom('job_media')
    .where('job_id', '=', jobId)
    .where('type', '=', 'JOB_LOGO')
    .returning('storage_key')
    .executeTakeFirst();
  const replacedKey = replaced?.storage_key ?? null;
  if (!logo) return { logo: null, replacedKey };
  const file = 'storageKey' in logo ? logo : null;
  const row = await tx
    .insertInto('job_media')
    .values({
      job_id: jobId,
      type: 'JOB_LOGO',
      storage_key: file?.storageKey ?? null,
      content_type: file?.contentType ?? null,
      url: 'url' in logo ? logo.url : null,
      created_at: now,
    })
    .returning(['id', 'storage_key', 'url'])
    .executeTakeFirstOrThrow();
  return {
    logo: { id: row.id, storageKey: row.storage_key, url: row.url },
    replacedKey: replacedKey === row.storage_key ? null : replacedKey,
  };
}

/** Those of these storage keys that some job's media still names, deleted jobs included. */
export async function findReferencedKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('job_media').select('storage_key').distinct().where('storage_key', 'in', keys).execute();
  return new Set(rows.map((row) => row.storage_key as string));
}

/** The storage keys these jobs' media name, each once. */
export async function findStorageKeysOfJobs(db: Executor, jobIds: readonly number[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const rows = await db
    .selectFrom('job_media')
    .select('storage_key')
    .distinct()
    .where('job_id', 'in', jobIds)
    .where('storage_key', 'is not', null)
    .execute();
  return rows.map((row) => row.storage_key as string);
}
