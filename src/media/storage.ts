import { randomUUID } from 'node:crypto';
import { mkdir, open, opendir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/*
 * Where media files are kept, by key: the seam an object store would
 * implement in place of the folder below. Keys are plain names made by the
 * caller (src/media/logos.ts names a file by its content), so a key's bytes
 * never change once put.
 */
export interface MediaStorage {
  /** Stores the bytes under the key, durably once resolved; a key already stored is only marked as put now. */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** The bytes as a stream with their length, for serving. */
  stream(key: string): Promise<{ size: number; body: Readable } | undefined>;
  delete(key: string): Promise<void>;
  /** Every key stored, with when it was last put. */
  list(): AsyncIterable<{ key: string; putAt: Date }>;
}

/* Names of our own making only: no folder separators, and a leading dot is left for files being written. */
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

const isMissing = (error: unknown) => (error as { code?: string }).code === 'ENOENT';

/*
 * A folder on the local disk (MEDIA_DIR). Each file is written to a
 * temporary name, flushed, then renamed into place, so a reader or a crash
 * never meets half a file; the folder is flushed too, so that the name
 * survives a power cut as the row naming it does. A crash mid-write can
 * leave a temporary `.…tmp` file behind, never a key.
 */
export async function openFolderStorage(folder: string): Promise<MediaStorage> {
  await mkdir(folder, { recursive: true });
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not a media key: ${JSON.stringify(key)}`);
    return join(folder, key);
  };
  const streamOf = async (key: string) => {
    let handle;
    try {
      handle = await open(pathOf(key), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // Sized from the open file, so a removal meanwhile cannot make the length and the bytes disagree.
    const { size } = await handle.stat();
    return { size, body: handle.createReadStream() };
  };
  const syncFolder = async () => {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  return {
    async put(key, data) {
      const path = pathOf(key);
      const now = new Date();
      try {
        // Same key, same bytes: marking it as put now keeps a sweep (its grace period) away from it.
        await utimes(path, now, now);
        return;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      const temporary = join(folder, `.${key}.${randomUUID()}.tmp`);
      try {
        const handle = await open(temporary, 'wx');
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      await syncFolder();
    },

    async get(key) {
      const stored = await streamOf(key);
      if (!stored) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of stored.body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },

    stream: streamOf,

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async *list() {
      for await (const entry of await opendir(folder)) {
        if (!entry.isFile() || !KEY.test(entry.name)) continue;
        try {
          yield { key: entry.name, putAt: (await stat(join(folder, entry.name))).mtime };
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
    },
  };
}
