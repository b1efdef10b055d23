import { sql } from 'kysely';
import type { Store } from './connect.ts';

/**
 * A value that changes whenever another connection has changed the jobs,
 * for caches that must notice other processes' writes.
 */
export interface ChangeStamp {
  read(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The channel the store's triggers notify when jobs change (migration 0004); one per schema. */
export const jobsChangedChannel = (schema: string | undefined) => `jobspace_jobs_${schema ?? 'public'}`;

/*
 * SQLite's `data_version` is exactly such a value, per connection and
 * without reading any table (it moves with any commit, not only to jobs).
 * PostgreSQL has none; its triggers NOTIFY on every change to jobs or their
 * sites, and a connection of this process LISTENs: each notification moves
 * the stamp. While that connection is down (notifications may be lost), the
 * stamp moves at every read, so that nothing is trusted from a cache.
 */
export function changeStampFor(store: Store): ChangeStamp | null {
  const { dialect } = store;
  if (dialect.name === 'sqlite') {
    return {
      read: async () => Number((await sql<{ data_version: number }>`pragma data_version`.execute(store.db)).rows[0]?.data_version),
      stop: async () => undefined,
    };
  }
  if (!dialect.listen) return null;
  let version = 0;
  let listening = false;
  const listener = dialect.listen(jobsChangedChannel(dialect.schema), {
    onNotify: () => {
      version += 1;
    },
    onListening: (now) => {
      listening = now;
      version += 1;
    },
  });
  return {
    read: async () => (listening ? version : ++version),
    stop: () => listener.stop(),
  };
}
