import { resolve } from 'node:path';

/** True for the two kinds of store URL the server opens: `sqlite:<file>` and `postgres://…`. */
export function isStoreUrl(url: string): boolean {
  return /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url);
}

/** The file (or `:memory:`) a `sqlite:` URL names; undefined for any other store. */
export function sqliteFileOf(url: string): string | undefined {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
}

/** One spelling per store, so that two URLs naming the same SQLite file compare equal. */
export function storeIdentity(url: string): string {
  const file = sqliteFileOf(url);
  return file === undefined ? url : `sqlite:${resolve(file)}`;
}
