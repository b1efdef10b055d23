import { randomBytes } from 'node:crypto';
import { IANAZone } from 'luxon';
import type { Db, Tx } from '../db/types.ts';
import { isoAfterSeconds, nowIso } from '../clock.ts';
import { digestClientSecret, generateClientId, hashSecret, MIN_PASSWORD_LENGTH } from '../auth/secrets.ts';
import * as tenancy from './repository.ts';
import { canonicalUsername, usernameProblem } from './username.ts';
import { insertAuditEntries } from '../audit/repository.ts';
import { commandEntry, type AuditAction, type AuditEntry } from '../audit/trail.ts';

/* Operator actions on sites, organisations, users and clients: used by the CLI and the demo tenant. Each write is audited in its own transaction. */

const audit = (tx: Tx, organisationId: number | null, action: AuditAction, target: AuditEntry['target']) =>
  insertAuditEntries(tx, [commandEntry(organisationId, action, target)]);

export class TenancyError extends Error {
  override name = 'TenancyError';
}

const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function requireText(label: string, value: string | undefined, max = 255): string {
  const text = value?.trim();
  if (!text) throw new TenancyError(`${label} is required`);
  if (text.length > max) throw new TenancyError(`${label} may not be longer than ${max} characters`);
  return text;
}

function requireHandle(value: string | undefined, label = 'handle'): string {
  const handle = requireText(label, value, 64);
  if (!HANDLE.test(handle)) throw new TenancyError(`handle "${handle}" may hold only letters, digits, _ . and -`);
  return handle;
}

export async function createSite(db: Db, input: { handle?: string; name?: string; url?: string }) {
  const handle = requireHandle(input.handle);
  const url = requireText('url', input.url, 2048);
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new TenancyError(`url "${url}" must be an http(s) URL`);
  if (await tenancy.findSiteByHandle(db, handle)) throw new TenancyError(`a site with handle "${handle}" exists`);
  const name = requireText('name', input.name);
  return db.transaction().execute(async (tx) => {
    const id = await tenancy.insertSite(tx, { handle, name, url }, nowIso());
    await audit(tx, null, 'site.create', { type: 'site', id });
    return id;
  });
}

export async function createOrganisation(db: Db, input: { handle?: string; name?: string; credits?: number | null }) {
  const handle = requireHandle(input.handle);
  if (await tenancy.findOrganisationByHandle(db, handle)) {
    throw new TenancyError(`an organisation with handle "${handle}" exists`);
  }
  const name = requireText('name', input.name);
  return db.transaction().execute(async (tx) => {
    const id = await tenancy.insertOrganisation(tx, { handle, name, credits: input.credits ?? null }, nowIso());
    await audit(tx, id, 'organisation.create', { type: 'organisation', id });
    return id;
  });
}

export async function addCredits(db: Db, handle: string | undefined, amount: number) {
  const organisation = await tenancy.findOrganisationByHandle(db, requireHandle(handle));
  if (!organisation) throw new TenancyError(`no organisation has handle "${handle}"`);
  if (organisation.credits === null) throw new TenancyError(`organisation "${handle}" has unlimited credits`);
  if (organisation.credits + amount < 0) throw new TenancyError(`organisation "${handle}" has only ${organisation.credits} credits`);
  if (amount === 0) return organisation.credits;
  return db.transaction().execute(async (tx) => {
    const updated = await tenancy.addOrganisationCredits(tx, organisation.handle, amount, nowIso());
    await audit(tx, organisation.id, 'organisation.credits', { type: 'organisation', id: organisation.id });
    return updated?.credits ?? null;
  });
}

async function requireOrganisation(db: Db, handle: string | undefined) {
  const organisation = await tenancy.findOrganisationByHandle(db, requireHandle(handle, 'organisation handle'));
  if (!organisation) throw new TenancyError(`no organisation has handle "${handle}"`);
  return organisation;
}

export async function createUser(
  db: Db,
  input: { username?: string; password?: string; name?: string; organisation?: string; timezone?: string },
) {
  const username = canonicalUsername(requireText('username', input.username));
  const problem = usernameProblem(username);
  if (problem) throw new TenancyError(`username ${problem}`);
  const password = requireText('password', input.password, 1024);
  if (password.length < MIN_PASSWORD_LENGTH) throw new TenancyError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.timezone !== undefined && !IANAZone.isValidZone(input.timezone)) {
    throw new TenancyError(`timezone "${input.timezone}" is not an IANA time zone`);
  }
  const organisation = await requireOrganisation(db, input.organisation);
  if (await tenancy.findUserByUsername(db, username)) throw new TenancyError(`a user "${username}" exists`);
  const passwordHash = await hashSecret(password);
  return db.transaction().execute(async (tx) => {
    const userId = await tenancy.insertUser(
      tx,
      { username, password_hash: passwordHash, name: requireText('name', input.name), timezone: input.timezone ?? null },
      nowIso(),
    );
    await tenancy.insertMembership(tx, userId, organisation.id);
    await audit(tx, organisation.id, 'user.create', { type: 'user', id: userId });
    return userId;
  });
}

/** What an operator action did: false when what it asks for was already so. */
export type Changed = boolean;

async function requireUser(db: Db, username: string | undefined) {
  const user = await tenancy.findUserByUsername(db, requireText('username', username));
  if (!user) throw new TenancyError(`no user "${username}"`);
  return user;
}

export async function addUserToOrganisation(db: Db, username: string | undefined, handle: string | undefined): Promise<Changed> {
  const user = await requireUser(db, username);
  const organisation = await requireOrganisation(db, handle);
  return db.transaction().execute(async (tx) => {
    const added = await tenancy.insertMembership(tx, user.id, organisation.id);
    if (added) await audit(tx, organisation.id, 'user.add_organisation', { type: 'user', id: user.id });
    return added;
  });
}

/*
 * The user's tokens lose the organisation on their next request, on every
 * process: the delete raises auth_generation (migration 0003's trigger),
 * which retires every remembered caller.
 */
export async function removeUserFromOrganisation(db: Db, username: string | undefined, handle: string | undefined): Promise<Changed> {
  const user = await requireUser(db, username);
  const organisation = await requireOrganisation(db, handle);
  return db.transaction().execute(async (tx) => {
    const removed = await tenancy.deleteMembership(tx, user.id, organisation.id);
    if (removed) await audit(tx, organisation.id, 'user.remove_organisation', { type: 'user', id: user.id });
    return removed;
  });
}

export function parseSiteIds(value: string | undefined): number[] {
  const ids = (value ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  if (ids.length === 0 || ids.some((id) => !/^\d{1,9}$/.test(id))) {
    throw new TenancyError(`sites must be a comma-separated list of site ids, got "${value ?? ''}"`);
  }
  return [...new Set(ids.map(Number))];
}

export interface NewClient {
  id: number;
  clientId: string;
  clientSecret: string;
}

/** The secret is returned once, here; only its hash is kept. */
export async function createClient(
  db: Db,
  input: {
    name?: string;
    siteIds: number[];
    allowBasic: boolean;
    /** A board client reads the live jobs of its sites with the client_credentials grant. */
    board?: boolean;
    clientId?: string;
    clientSecret?: string;
  },
): Promise<NewClient> {
  const name = requireText('name', input.name);
  if (input.board && input.allowBasic) throw new TenancyError('a board client has no user, so --basic does not apply');
  if ((await tenancy.countSitesByIds(db, input.siteIds)) !== input.siteIds.length) {
    throw new TenancyError(`not every site of ${input.siteIds.join(',')} exists`);
  }
  const clientId = input.clientId ?? generateClientId();
  const clientSecret = input.clientSecret ?? randomBytes(32).toString('base64url');
  if (await tenancy.findClientByClientId(db, clientId)) throw new TenancyError(`a client "${clientId}" exists`);
  const row = {
    client_id: clientId,
    secret_hash: digestClientSecret(clientSecret),
    name,
    kind: input.board ? ('board' as const) : ('vendor' as const),
    allow_basic: input.allowBasic ? 1 : 0,
  };
  const id = await db.transaction().execute(async (tx) => {
    const inserted = await tenancy.insertClient(tx, row, input.siteIds, nowIso());
    await audit(tx, null, 'client.create', { type: 'client', id: inserted });
    return inserted;
  });
  return { id, clientId, clientSecret };
}

async function requireClient(db: Db, clientId: string | undefined) {
  const client = await tenancy.findClientByClientId(db, requireText('id', clientId));
  if (!client) throw new TenancyError(`no client "${clientId}"`);
  return client;
}

/** A client revoked before keeps its first revocation time; its tokens were revoked with it. */
export async function revokeClient(db: Db, clientId: string | undefined): Promise<Changed> {
  const client = await requireClient(db, clientId);
  return db.transaction().execute(async (tx) => {
    const revoked = await tenancy.revokeClient(tx, client.client_id, nowIso());
    if (revoked) await audit(tx, null, 'client.revoke', { type: 'client', id: client.id });
    return revoked;
  });
}

/** The longest overlap a rotation allows: long enough for any deployment, short enough that an old secret does end. */
export const MAX_OVERLAP_SECONDS = 30 * 86_400;

export interface RotatedSecret {
  readonly clientSecret: string;
  /** When the secret it replaced stops verifying; null when it stopped at once. */
  readonly previousExpiresAt: string | null;
}

/*
 * A new secret, returned once; the one it replaces keeps verifying for
 * `overlapSeconds` (0: not at all), so that the vendor can deploy the new
 * one first. A secret rotated out earlier and still in its overlap ends now:
 * only one previous secret is kept. Every check reads the row afresh
 * (src/auth/service.ts, authenticateClient), so each process sees the
 * rotation on its next token request.
 */
export async function rotateClientSecret(db: Db, clientId: string | undefined, overlapSeconds: number): Promise<RotatedSecret> {
  const client = await requireClient(db, clientId);
  if (client.revoked_at !== null) throw new TenancyError(`client "${client.client_id}" is revoked; its secret cannot be rotated`);
  const clientSecret = randomBytes(32).toString('base64url');
  const previousExpiresAt = overlapSeconds > 0 ? isoAfterSeconds(overlapSeconds) : null;
  const rotation = {
    secret_hash: digestClientSecret(clientSecret),
    previous_secret_hash: previousExpiresAt === null ? null : client.secret_hash,
    previous_secret_expires_at: previousExpiresAt,
  };
  await db.transaction().execute(async (tx) => {
    if (!(await tenancy.replaceClientSecret(tx, client.id, client.secret_hash, rotation))) {
      throw new TenancyError(`client "${client.client_id}" changed while its secret was rotated; run the command again`);
    }
    await audit(tx, null, 'client.rotate_secret', { type: 'client', id: client.id });
  });
  return { clientSecret, previousExpiresAt };
}
