import type { Db, Tx } from '../db/types.ts';
import { nowIso } from '../clock.ts';
import { insertAuditEntries } from '../audit/repository.ts';
import { requestEntry } from '../audit/trail.ts';
import type { LockTokenFamily } from './family-lock.ts';
import { findRefreshToken, findAccessTokenByHash, revokeAccessToken, revokeTokenFamily } from './repository.ts';
import { hashToken } from './secrets.ts';

export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface Revocation {
  /** The authenticated client asking: only its own tokens are revoked. */
  readonly apiClientId: number;
  readonly token: string;
  readonly hint: TokenTypeHint | undefined;
  readonly requestId: string;
}

interface Found {
  readonly type: TokenTypeHint;
  readonly id: number;
  readonly apiClientId: number;
  readonly userId: number | null;
  /** A refresh token's family; an access token is revoked alone. */
  readonly family: string | null;
  readonly revoked: boolean;
}

interface TokenRow {
  readonly id: number;
  readonly api_client_id: number;
  readonly user_id: number | null;
  readonly revoked_at: string | null;
}

const foundOf = (type: TokenTypeHint, row: TokenRow, family: string | null): Found =>
  ({ type, id: row.id, apiClientId: row.api_client_id, userId: row.user_id, family, revoked: row.revoked_at !== null });

/* The hint orders the look-ups only (RFC 7009 §2.1): a token not of the hinted type is still found as the other. */
async function findToken(db: Db, tokenHash: string, hint: TokenTypeHint | undefined): Promise<Found | undefined> {
  const asRefresh = async () => {
    const row = await findRefreshToken(db, tokenHash);
    return row && foundOf('refresh_token', row, row.family);
  };
  const asAccess = async () => {
    const row = await findAccessTokenByHash(db, tokenHash);
    return row && foundOf('access_token', row, null);
  };
  const [first, second] = hint === 'refresh_token' ? [asRefresh, asAccess] : [asAccess, asRefresh];
  return (await first()) ?? (await second());
}

/*
 * RFC 7009: whatever the token, the answer is the same 200, so that a
 * client learns nothing of tokens not its own. A token issued to another
 * client, unknown, or already revoked is left as it is (§2.1: the server
 * verifies the token was issued to the client asking). A refresh token takes
 * its whole family with it, every access token issued from it included, in
 * the family's lock as a reuse's revocation does (service.ts). An access
 * token goes alone: its refresh token keeps the session, which a client
 * ends by revoking that. Each process refuses a revoked token on its next
 * request: the access tokens' update raises the auth generation (0003).
 */
export async function revokeToken(db: Db, lockFamily: LockTokenFamily, revocation: Revocation): Promise<void> {
  const found = await findToken(db, hashToken(revocation.token), revocation.hint);
  if (!found || found.apiClientId !== revocation.apiClientId || found.revoked) return;
  await db.transaction().execute(async (tx) => {
    // A revocation that a concurrent one made first changes nothing, and records nothing.
    if (await revokeFound(tx, lockFamily, found)) await auditRevocation(tx, revocation, found);
  });
}

async function revokeFound(tx: Tx, lockFamily: LockTokenFamily, found: Found): Promise<boolean> {
  if (found.family === null) return revokeAccessToken(tx, found.id, nowIso());
  await lockFamily(tx, found.family);
  return (await revokeTokenFamily(tx, found.family, nowIso())) > 0;
}

function auditRevocation(tx: Tx, revocation: Revocation, found: Found) {
  const actor = { apiClientId: revocation.apiClientId, userId: found.userId, requestId: revocation.requestId };
  // A user's token is not any one organisation's.
  return insertAuditEntries(tx, [requestEntry(actor, null, 'token.revoke', { type: found.type, id: found.id })]);
}
