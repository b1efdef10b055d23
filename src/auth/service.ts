import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../db/types.ts';
import { isoAfterSeconds, nowIso } from '../clock.ts';
import { findClientByClientId, findUserByUsername, replaceClientSecretHash } from '../tenancy/repository.ts';
import { OAuthError } from './oauth-error.ts';
import type { LockTokenFamily } from './family-lock.ts';
import {
  claimRefreshToken,
  findRefreshToken,
  insertClientToken,
  insertTokenPair,
  revokeTokenFamily,
} from './repository.ts';
import { digestClientSecret, generateToken, hashSecret, hashToken, verifyClientSecret, verifySecret } from './secrets.ts';

export const ACCESS_TOKEN_SECONDS = 86_400;
export const REFRESH_TOKEN_SECONDS = 30 * 86_400;

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

// Checked against when the user or client is unknown, so a miss takes as long as a hit.
const decoyHash = hashSecret('decoy secret for timing');
const decoyClientDigest = digestClientSecret('decoy secret for timing');

/**
 * The API client behind a pair of credentials, or null when they do not match
 * a live client. A secret still stored under scrypt is replaced by its digest
 * on its first match, so each such client pays one slow hash, once. During a
 * rotation's overlap the secret it replaced matches too, until its expiry
 * (`jobspace client rotate-secret`). The row is read afresh on every check:
 * nothing caches a client's secret, so a rotation or its end is seen by every
 * process at once.
 */
export async function authenticateClient(db: Db, credentials: ClientCredentials) {
  const client = await findClientByClientId(db, credentials.clientId);
  const stored = client?.secret_hash ?? decoyClientDigest;
  const { matches, outdated } = await verifyClientSecret(credentials.clientSecret, stored);
  if (!client || client.revoked_at !== null) return null;
  if (matches) {
    if (outdated) await replaceClientSecretHash(db, client.id, stored, digestClientSecret(credentials.clientSecret));
    return client;
  }
  return (await matchesPreviousSecret(client, credentials.clientSecret)) ? client : null;
}

async function matchesPreviousSecret(
  client: { previous_secret_hash: string | null; previous_secret_expires_at: string | null },
  secret: string,
): Promise<boolean> {
  const { previous_secret_hash: previous, previous_secret_expires_at: expiresAt } = client;
  if (previous === null || expiresAt === null || expiresAt <= nowIso()) return false;
  return (await verifyClientSecret(secret, previous)).matches;
}

export async function authenticateUser(db: Db, username: string, password: string) {
  const user = await findUserByUsername(db, username);
  const matches = await verifySecret(password, user?.password_hash ?? (await decoyHash));
  return user && matches ? user : null;
}

async function requireClient(db: Db, credentials: ClientCredentials, kind: 'vendor' | 'board') {
  const client = await authenticateClient(db, credentials);
  if (!client) throw new OAuthError('invalid_client', 'Client authentication failed.');
  if (client.kind !== kind) {
    const grant = kind === 'board' ? 'client_credentials' : 'password and refresh_token';
    throw new OAuthError('unauthorized_client', `This client may not use the ${grant} grant.`);
  }
  return client;
}

async function issueTokens(tx: Tx, apiClientId: number, userId: number, family: string): Promise<TokenResponse> {
  const accessToken = generateToken();
  const refreshToken = generateToken();
  const owner = { api_client_id: apiClientId, user_id: userId, family };
  await insertTokenPair(
    tx,
    { ...owner, token_hash: hashToken(accessToken), expires_at: isoAfterSeconds(ACCESS_TOKEN_SECONDS) },
    { ...owner, token_hash: hashToken(refreshToken), expires_at: isoAfterSeconds(REFRESH_TOKEN_SECONDS) },
    nowIso(),
  );
  return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, access_token: accessToken, refresh_token: refreshToken };
}

export async function grantByPassword(
  db: Db,
  credentials: ClientCredentials,
  username: string,
  password: string,
): Promise<TokenResponse> {
  const client = await requireClient(db, credentials, 'vendor');
  const user = await authenticateUser(db, username, password);
  if (!user) throw new OAuthError('invalid_grant', 'The user credentials were incorrect.');
  return db.transaction().execute((tx) => issueTokens(tx, client.id, user.id, randomUUID()));
}

export interface RefreshRotation {
  /** Seconds a rotated refresh token still answers before a reuse revokes its family (REFRESH_REUSE_SECONDS). */
  readonly reuseSeconds: number;
  readonly lockFamily: LockTokenFamily;
}

/*
 * Refresh tokens rotate: a use returns a new pair. A use again within the
 * reuse interval, as when a client retries a refresh whose answer it lost or
 * refreshes from several requests at once, returns another new pair of the
 * same family (only hashes are stored, so the first pair cannot be sent
 * again), and every pair issued stays valid. A use after the interval means
 * the token leaked: the whole family, access tokens included, is revoked
 * (RFC 9700 §4.14.2). Claim and revocation both run in the family's lock,
 * so no refresh can add a token that a concurrent revocation misses.
 */
export async function grantByRefreshToken(
  db: Db,
  credentials: ClientCredentials,
  refreshToken: string,
  rotation: RefreshRotation,
): Promise<TokenResponse> {
  const client = await requireClient(db, credentials, 'vendor');
  const invalid = new OAuthError('invalid_grant', 'The refresh token is invalid.');
  const token = await findRefreshToken(db, hashToken(refreshToken));
  const now = nowIso();
  if (!token || token.api_client_id !== client.id || token.revoked_at !== null || token.expires_at <= now) throw invalid;
  const issued = await db.transaction().execute(async (tx) => {
    await rotation.lockFamily(tx, token.family);
    // The time is read in the lock: one read before it could precede a claim made while this waited, and pass for a use within the interval.
    const claimedAt = nowIso();
    const reusableSince = isoAfterSeconds(-rotation.reuseSeconds, Date.parse(claimedAt));
    if (await claimRefreshToken(tx, token.id, claimedAt, reusableSince)) {
      return issueTokens(tx, client.id, token.user_id, token.family);
    }
    await revokeTokenFamily(tx, token.family, claimedAt);
    return null;
  });
  if (!issued) throw invalid;
  return issued;
}

/** A board client's own token, to read the live jobs of its sites. */
export async function grantByClientCredentials(db: Db, credentials: ClientCredentials): Promise<TokenResponse> {
  const client = await requireClient(db, credentials, 'board');
  const accessToken = generateToken();
  await insertClientToken(
    db,
    { token_hash: hashToken(accessToken), api_client_id: client.id, family: randomUUID(), expires_at: isoAfterSeconds(ACCESS_TOKEN_SECONDS) },
    nowIso(),
  );
  return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, access_token: accessToken };
}
