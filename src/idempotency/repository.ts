import type { Selectable } from 'kysely';
import type { AuditEntry, HeldKey } from '../audit/trail.ts';
import type { Db, Executor, IdempotencyKeysTable } from '../db/types.ts';

export type KeyRow = Selectable<IdempotencyKeysTable>;

export interface KeyClaim {
  readonly principal: string;
  readonly key: string;
  readonly fingerprint: string;
  /** When this attempt began: it names the claim, so that only its holder answers for it. */
  readonly claimedAt: string;
  readonly expiresAt: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/*
 * Takes the key for this attempt when no one holds it: one statement, so of
 * attempts that race (in any process, on any machine) exactly one inserts.
 * True when this one did.
 */
export async function insertClaim(db: Executor, claim: KeyClaim): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      principal: claim.principal,
      key: claim.key,
      fingerprint: claim.fingerprint,
      claimed_at: claim.claimedAt,
      created_at: claim.claimedAt,
      expires_at: claim.expiresAt,
    })
    .onConflict((conflict) => conflict.columns(['principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findKey(db: Executor, principal: string, key: string): Promise<KeyRow | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst();
}

/** Removes the key if it expired by `now`, so that it may be claimed afresh. */
export async function deleteExpiredKey(db: Executor, principal: string, key: string, now: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('principal', '=', principal).where('key', '=', key).where('expires_at', '<=', now).execute();
}

/*
 * Takes over a claim whose attempt never answered (its process died): only
 * from the attempt that was read, so of two that try, one succeeds.
 */
export async function takeOverClaim(db: Executor, abandoned: KeyRow, claimedAt: string): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ claimed_at: claimedAt })
    .where('principal', '=', abandoned.principal)
    .where('key', '=', abandoned.key)
    .where('claimed_at', '=', abandoned.claimed_at)
    .where('response_status', 'is', null)
    .where('committed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the response of the attempt that holds the claim (none other may). */
export async function storeResponse(db: Executor, claim: KeyClaim, response: StoredResponse): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_headers: response.headers, response_body: response.body })
    .where('principal', '=', claim.principal)
    .where('key', '=', claim.key)
    .where('claimed_at', '=', claim.claimedAt)
    .execute();
}

/** Marks the key's write committed, naming what it wrote: run in that write's transaction. */
export async function markKeyCommitted(db: Executor, held: HeldKey, at: string, target: AuditEntry['target']): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ committed_at: at, target_type: target.type, target_id: target.id })
    .where('principal', '=', held.principal)
    .where('key', '=', held.key)
    .where('claimed_at', '=', held.claimedAt)
    .execute();
}

/*
 * An erasure reaches the answers kept for the writes that made or changed
 * what it erases: a replay answers 410 instead, and the sealed body holding
 * the personal data is gone. The key itself stays, so a retry never writes again.
 */
export async function eraseKeptAnswers(db: Executor, target: AuditEntry['target']): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: 410, response_headers: '{}', response_body: null })
    .where('target_type', '=', target.type)
    .where('target_id', '=', target.id)
    .where('response_status', 'is not', null)
    .execute();
}

/** Lets the key go when its attempt failed in a way a retry may not (a 5xx): the retry runs afresh. */
export async function releaseClaim(db: Executor, claim: KeyClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', claim.principal)
    .where('key', '=', claim.key)
    .where('claimed_at', '=', claim.claimedAt)
    .where('response_status', 'is', null)
    .where('committed_at', 'is', null)
    .execute();
}

/** Removes keys expired before `now`; run by the delivery worker's hourly prune. @returns the rows removed */
export async function pruneExpiredKeys(db: Db, now: string): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
