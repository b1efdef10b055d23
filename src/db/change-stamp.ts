import { sql } from 'kysely';
import type { Store } from './connect.ts';

/**
 * A value that changes whenever another connection commits to the store,
 * for caches that must notice other processes' writes; null where the store
 * has no cheap one. SQLite's `data_version` is exactly that, per connection
 * and without reading any table. PostgreSQL has no equivalent short of
 * LISTEN/NOTIFY; its caches fall back to a short time to live.
 */
export function changeStampFor(store: Store): (() => Promise<number>) | null {
  if (store.dialect.name !== 'sqlite') return null;
  return async () => {
    const result = await sql<{ data_version: number }>`pragma data_version`.execute(store.db);
    return Number(result.rows[0]?.data_version);
  };
}
