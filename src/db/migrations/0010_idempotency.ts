import type { Kysely } from 'kysely';

/*
 * The Idempotency-Key of each write that sent one (src/idempotency/): who
 * sent it (the client and its user), the key, the fingerprint of the request
 * it came with, when the attempt that holds it started, and the response
 * stored once that attempt answered, kept until expires_at. In the store so
 * that every worker and machine sees the same keys; the primary key makes
 * claiming one atomic (insert … on conflict do nothing). The same on both
 * stores: no dialect part.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    // JSON object of the headers replayed.
    .addColumn('response_headers', 'text')
    // Sealed (AES-256-GCM under a key derived from WEBHOOK_SIGNING_KEY): a webhook's answer shows its secret.
    .addColumn('response_body', 'text')
    // Set in the write's own transaction (with its audit entry): a key whose write committed is never run
    // again, even when its answer was lost with its process. The target names what it wrote, so that an
    // erasure reaches its stored answer.
    .addColumn('committed_at', 'text')
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['principal', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expires_idx').on('idempotency_keys').column('expires_at').execute();
  await db.schema.createIndex('idempotency_keys_target_idx').on('idempotency_keys').columns(['target_type', 'target_id']).execute();
}
