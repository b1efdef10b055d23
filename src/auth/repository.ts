import { sql } from 'kysely';
import type { Executor, Tx } from '../db/types.ts';

export interface TokenRecord {
  token_hash: string;
  api_client_id: number;
  user_id: number;
  family: string;
  expires_at: string;
}

export async function insertTokenPair(tx: Tx, access: TokenRecord, refresh: TokenRecord, now: string) {
  await tx.insertInto('access_tokens').values({ ...access, created_at: now }).execute();
  await tx.insertInto('refresh_tokens').values({ ...refresh, created_at: now }).execute();
}

/** A board client's token: no user, no refresh token (RFC 6749 §4.4.3). */
export async function insertClientToken(db: Executor, access: Omit<TokenRecord, 'user_id'>, now: string) {
  await db.insertInto('access_tokens').values({ ...access, user_id: null, created_at: now }).execute();
}

/** Who a live access token acts for, or nothing when it is unknown, expired or revoked. */
export function findLiveAccessToken(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('access_tokens')
    .innerJoin('api_clients', 'api_clients.id', 'access_tokens.api_client_id')
    .leftJoin('users', 'users.id', 'access_tokens.user_id')
    .select(['access_tokens.user_id', 'access_tokens.api_client_id', 'access_tokens.expires_at', 'users.timezone'])
    .where('access_tokens.token_hash', '=', tokenHash)
    .where('access_tokens.revoked_at', 'is', null)
    .where('access_tokens.expires_at', '>', now)
    .where('api_clients.revoked_at', 'is', null)
    .executeTakeFirst();
}

/** The store's count of changes to what tokens grant: a caller resolved earlier holds while it stands still. */
export const AUTH_GENERATION = sql<number | string>`(select auth_generation.generation from auth_generation where auth_generation.id = 1)`;

/** AUTH_GENERATION in a statement of its own. */
export async function readAuthGeneration(db: Executor): Promise<number> {
  const row = await db.selectFrom('auth_generation').select('generation').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.generation);
}

/** An access token by its hash, live or not: for its revocation. */
export function findAccessTokenByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('access_tokens')
    .select(['id', 'api_client_id', 'user_id', 'revoked_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Whether it was revoked now: a token revoked before keeps its first revocation time. */
export async function revokeAccessToken(tx: Tx, id: number, now: string): Promise<boolean> {
  const result = await tx.updateTable('access_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findRefreshToken(db: Executor, tokenHash: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/**
 * Marks a refresh token used, or accepts it again when it was first used after
 * `reusableSince` (a retry of the same refresh); false when it was used
 * before that, or revoked. `used_at` keeps the first use, so the reuse
 * interval runs from the rotation and repeated reuses cannot extend it.
 */
export async function claimRefreshToken(tx: Tx, id: number, now: string, reusableSince: string): Promise<boolean> {
  const result = await tx
    .updateTable('refresh_tokens')
    .set((eb) => ({ used_at: eb.fn.coalesce('used_at', eb.val(now)) }))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('used_at', 'is', null), eb('used_at', '>', reusableSince)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/*
 * Access tokens first: their update trigger takes the auth generation's lock
 * before any token row, as every revoking writer does (migration 0003), so
 * that revocations cannot deadlock. Run in the family's lock (family-lock.ts).
 */
/** The tokens revoked now, of both kinds. */
export async function revokeTokenFamily(tx: Tx, family: string, now: string): Promise<number> {
  let revoked = 0;
  for (const table of ['access_tokens', 'refresh_tokens'] as const) {
    const result = await tx
      .updateTable(table)
      .set({ revoked_at: now })
      .where('family', '=', family)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    revoked += Number(result.numUpdatedRows);
  }
  return revoked;
}
