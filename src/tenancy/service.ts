import { randomBytes } from 'node:crypto';
import { IANAZone } from 'luxon';
import type { Db } from '../db/types.ts';
import { nowIso } from '../clock.ts';
import { digestClientSecret, generateClientId, hashSecret, MIN_PASSWORD_LENGTH } from '../auth/secrets.ts';
import * as tenancy from './repository.ts';
import { canonicalUsername, usernameProblem } from './username.ts';

/* Operator actions on sites, organisations, users and clients: used by the CLI and the demo tenant. */

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
  return tenancy.insertSite(db, { handle, name: requireText('name', input.name), url }, nowIso());
}

export async function createOrganisation(db: Db, input: { handle?: string; name?: string; credits?: number | null }) {
  const handle = requireHandle(input.handle);
  if (await tenancy.findOrganisationByHandle(db, handle)) {
    throw new TenancyError(`an organisation with handle "${handle}" exists`);
  }
  return tenancy.insertOrganisation(db, { handle, name: requireText('name', input.name), credits: input.credits ?? null }, nowIso());
}

export async function addCredits(db: Db, handle: string | undefined, amount: number) {
  const organisation = await tenancy.findOrganisationByHandle(db, requireHandle(handle));
  if (!organisation) throw new TenancyError(`no organisation has handle "${handle}"`);
  if (organisation.credits === null) throw new TenancyError(`organisation "${handle}" has unlimited credits`);
  if (organisation.credits + amount < 0) throw new TenancyError(`organisation "${handle}" has only ${organisation.credits} credits`);
  const updated = await tenancy.addOrganisationCredits(db, organisation.handle, amount, nowIso());
  return updated?.credits ?? null;
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
  return tenancy.insertMembership(db, user.id, organisation.id);
}

/*
 * The user's tokens lose the organisation on their next request, on every
 * process: the delete raises auth_generation (migration 0003's trigger),
 * which retires every remembered caller.
 */
export async function removeUserFromOrganisation(db: Db, username: string | undefined, handle: string | undefined): Promise<Changed> {
  const user = await requireUser(db, username);
  const organisation = await requireOrganisation(db, handle);
  return tenancy.deleteMembership(db, user.id, organisation.id);
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
  const id = await tenancy.insertClient(
    db,
    {
      client_id: clientId,
      secret_hash: digestClientSecret(clientSecret),
      name,
      kind: input.board ? 'board' : 'vendor',
      allow_basic: input.allowBasic ? 1 : 0,
    },
    input.siteIds,
    nowIso(),
  );
  return { id, clientId, clientSecret };
}

/** A client revoked before keeps its first revocation time; its tokens were revoked with it. */
export async function revokeClient(db: Db, clientId: string | undefined): Promise<Changed> {
  const client = await tenancy.findClientByClientId(db, requireText('id', clientId));
  if (!client) throw new TenancyError(`no client "${clientId}"`);
  return tenancy.revokeClient(db, client.client_id, nowIso());
}
