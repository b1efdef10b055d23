import { createHash } from 'node:crypto';
import type { Db, Executor, Tx } from '../db/types.ts';
import { imageTypeByExtension, type ImageFile, type ImageType } from './images.ts';
import { findReferencedKeys, replaceJobLogo, type JobLogo, type NewLogo } from './repository.ts';
import type { MediaStorage } from './storage.ts';

/** Where stored logos are served: outside /api and without a token, as boards show them to anyone. */
export const MEDIA_PATH = '/media';

/** What a write does to a job's logo: a new file or URL, or null to remove it. */
export type LogoChange = { readonly file: ImageFile } | { readonly url: string } | null;

const LOGO_KEY = /^[0-9a-f]{64}\.([a-z]+)$/;

/*
 * A stored logo is named by the SHA-256 of its bytes: jobs with the same
 * logo share one file, a name cannot be guessed without the bytes, and what
 * a name serves never changes, so it may be cached forever.
 */
export function logoKey(file: ImageFile): string {
  return `${createHash('sha256').update(file.data).digest('hex')}.${file.type.extension}`;
}

/** The type of the stored logo of this name, or undefined for a name we never make. */
export function logoTypeOf(name: string): ImageType | undefined {
  const extension = LOGO_KEY.exec(name)?.[1];
  return extension === undefined ? undefined : imageTypeByExtension(extension);
}

export function logoPath(publicUrl: string, logo: JobLogo): string {
  return logo.url ?? `${publicUrl}${MEDIA_PATH}/${logo.storageKey}`;
}

/** A change of a job's logo, in the three steps of a job write. */
export interface LogoWrite {
  /** In the job's transaction: the logo the job has afterwards (undefined: left as it was). */
  write(tx: Tx, jobId: number, now: string): Promise<JobLogo | null | undefined>;
  /** Once committed: the new file is in place, and the one replaced is gone unless a job still shows it. */
  settle(): Promise<void>;
}

const UNCHANGED: LogoWrite = { write: async () => undefined, settle: async () => undefined };

/*
 * A new file is stored before the transaction, so the commit (shared by
 * every write on SQLite) never waits for the file to reach the disk, and
 * the row naming it commits only once it is there. A write that then fails
 * leaves the file unnamed, never a name without a file: it is not removed
 * at once, as another write may be naming the same bytes, but swept by
 * `jobspace job purge` (see sweepUnreferencedLogos).
 */
export async function prepareLogoWrite(db: Db, storage: MediaStorage, change: LogoChange | undefined): Promise<LogoWrite> {
  if (change === undefined) return UNCHANGED;
  const file = change !== null && 'file' in change ? { key: logoKey(change.file), ...change.file } : null;
  if (file) await storage.put(file.key, file.data);
  const url = change !== null && 'url' in change ? change.url : null;
  const row: NewLogo | null = file ? { storageKey: file.key, contentType: file.type.contentType } : url === null ? null : { url };
  let replacedKey: string | null = null;
  return {
    async write(tx, jobId, now) {
      const written = await replaceJobLogo(tx, jobId, row, now);
      replacedKey = written.replacedKey;
      return written.logo;
    },
    async settle() {
      // A removal of the same bytes, checked before this write committed, may have taken the file away since.
      if (file) await storage.put(file.key, file.data);
      if (replacedKey !== null) await removeUnreferencedLogos(db, storage, [replacedKey]);
    },
  };
}

/*
 * Removes the files of these keys that no job names; returns how many. A
 * write naming the same bytes may commit between the check and the removal:
 * so the key is checked again once the file is gone, and put back, from the
 * bytes read before, if it is named now. (The write itself puts its file
 * back if it finds it gone after its commit.)
 */
export async function removeUnreferencedLogos(db: Executor, storage: MediaStorage, keys: readonly string[]): Promise<number> {
  const referenced = await findReferencedKeys(db, keys);
  let removed = 0;
  for (const key of keys.filter((candidate) => !referenced.has(candidate))) {
    const data = await storage.get(key);
    if (data === undefined) continue;
    await storage.delete(key);
    if ((await findReferencedKeys(db, [key])).size > 0) await storage.put(key, data);
    else removed += 1;
  }
  return removed;
}

/*
 * A file put within this long is left to a later sweep: its write may be in
 * flight still, its row not yet committed. Far longer than any request.
 */
const SWEEP_GRACE_MS = 60 * 60 * 1000;
const SWEEP_BATCH = 500;

/** Removes every stored file that no job names and that was not put within the grace period; returns how many. */
export async function sweepUnreferencedLogos(db: Executor, storage: MediaStorage, now = Date.now()): Promise<number> {
  let removed = 0;
  let batch: string[] = [];
  for await (const { key, putAt } of storage.list()) {
    if (now - putAt.getTime() < SWEEP_GRACE_MS) continue;
    batch.push(key);
    if (batch.length === SWEEP_BATCH) {
      removed += await removeUnreferencedLogos(db, storage, batch);
      batch = [];
    }
  }
  return removed + (await removeUnreferencedLogos(db, storage, batch));
}
