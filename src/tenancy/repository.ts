import type { Executor, Tx } from '../db/types.ts';
import { canonicalUsername } from './username.ts';

export function findSiteByHandle(db: Executor, handle: string) {
  return db.selectFrom('sites').selectAll().where('handle', '=', handle).executeTakeFirst();
}

export async function insertSite(db: Executor, site: { handle: string; name: string; url: string }, now: string) {
  const row = await db
    .insertInto('sites')
    .values({ ...site, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function listSitesByIds(db: Executor, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('sites').select(['id', 'handle', 'name']).where('id', 'in', ids).orderBy('id').execute();
}

export function findOrganisationByHandle(db: Executor, handle: string) {
  return db.selectFrom('organisations').selectAll().where('handle', '=', handle).executeTakeFirst();
}

export async function insertOrganisation(
  db: Executor,
  organisation: { handle: string; name: string; credits: number | null },
  now: string,
) {
  const row = await db
    .insertInto('organisations')
    .values({ ...organisation, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds (or, with a negative amount, removes) credits; unlimited stays unlimited. */
export async function addOrganisationCredits(db: Executor, handle: string, amount: number, now: string) {
  return db
    .updateTable('organisations')
    .set((eb) => ({ credits: eb('credits', '+', amount), updated_at: now }))
    .where('handle', '=', handle)
    .returning(['id', 'credits'])
    .executeTakeFirst();
}

/** The user of this username in any case; a user stored before usernames were kept in lower case matches exactly. */
export function findUserByUsername(db: Executor, username: string) {
  const spellings = [...new Set([canonicalUsername(username), username])];
  return db.selectFrom('users').selectAll().where('username', 'in', spellings).orderBy('id').executeTakeFirst();
}

export async function insertUser(
  db: Executor,
  user: { username: string; password_hash: string; name: string; timezone: string | null },
  now: string,
) {
  const row = await db
    .insertInto('users')
    .values({ ...user, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Whether the membership is new. */
export async function insertMembership(db: Executor, userId: number, organisationId: number): Promise<boolean> {
  const inserted = await db
    .insertInto('memberships')
    .values({ user_id: userId, organisation_id: organisationId })
    .onConflict((conflict) => conflict.columns(['user_id', 'organisation_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Whether there was such a membership to delete. */
export async function deleteMembership(db: Executor, userId: number, organisationId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('memberships')
    .where('user_id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export function listUserOrganisations(db: Executor, userId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select(['organisations.id', 'organisations.handle', 'organisations.name'])
    .where('memberships.user_id', '=', userId)
    .execute();
}

export function findClientByClientId(db: Executor, clientId: string) {
  return db.selectFrom('api_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

/**
 * Replaces a client's secret hash, unless it changed since it was read: a
 * secret's digest replacing the older hash its check just matched.
 */
export async function replaceClientSecretHash(db: Executor, id: number, matched: string, replacement: string) {
  await db
    .updateTable('api_clients')
    .set({ secret_hash: replacement })
    .where('id', '=', id)
    .where('secret_hash', '=', matched)
    .execute();
}

/** A rotated secret's digest, and the one it replaced while that still verifies (`jobspace client rotate-secret`). */
export interface SecretRotation {
  readonly secret_hash: string;
  readonly previous_secret_hash: string | null;
  readonly previous_secret_expires_at: string | null;
}

/** Whether the secret was replaced: not when it changed since `current` was read. */
export async function replaceClientSecret(tx: Tx, id: number, current: string, rotation: SecretRotation): Promise<boolean> {
  const result = await tx
    .updateTable('api_clients')
    .set(rotation)
    .where('id', '=', id)
    .where('secret_hash', '=', current)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertClient(
  tx: Tx,
  client: { client_id: string; secret_hash: string; name: string; kind: 'vendor' | 'board'; allow_basic: number },
  siteIds: readonly number[],
  now: string,
) {
  const row = await tx
    .insertInto('api_clients')
    .values({ ...client, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (siteIds.length > 0) {
    await tx
      .insertInto('api_client_sites')
      .values(siteIds.map((siteId) => ({ api_client_id: row.id, site_id: siteId })))
      .execute();
  }
  return row.id;
}

export async function listClientSiteIds(db: Executor, apiClientId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('api_client_sites')
    .select('site_id')
    .where('api_client_id', '=', apiClientId)
    .orderBy('site_id')
    .execute();
  return rows.map((row) => row.site_id);
}

/** Whether it was revoked now; a client revoked before keeps its first revocation time. */
export async function revokeClient(tx: Tx, clientId: string, now: string): Promise<boolean> {
  const client = await tx
    .updateTable('api_clients')
    .set({ revoked_at: now })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!client) return false;
  for (const table of ['access_tokens', 'refresh_tokens'] as const) {
    await tx
      .updateTable(table)
      .set({ revoked_at: now })
      .where('api_client_id', '=', client.id)
      .where('revoked_at', 'is', null)
      .execute();
  }
  return true;
}

export async function countSitesByIds(db: Executor, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('sites')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The id an id-or-handle names, or null when it is a handle. */
export const idOfIdOrHandle = (value: string) => (/^\d{1,9}$/.test(value) ? Number(value) : null);

export function findOrganisationByIdOrHandle(db: Executor, idOrHandle: string) {
  const id = idOfIdOrHandle(idOrHandle);
  return db
    .selectFrom('organisations')
    .select(['id', 'handle', 'name'])
    .where((eb) => (id === null ? eb('handle', '=', idOrHandle) : eb.or([eb('id', '=', id), eb('handle', '=', idOrHandle)])))
    .executeTakeFirst();
}

/** A site by id or handle, if it is one of these. */
export async function findSiteByIdOrHandleAmong(db: Executor, idOrHandle: string, siteIds: readonly number[]) {
  if (siteIds.length === 0) return undefined;
  const id = idOfIdOrHandle(idOrHandle);
  return db
    .selectFrom('sites')
    .select(['id', 'handle', 'name'])
    .where('id', 'in', siteIds)
    .where((eb) => (id === null ? eb('handle', '=', idOrHandle) : eb.or([eb('id', '=', id), eb('handle', '=', idOrHandle)])))
    .executeTakeFirst();
}

/** Whether the store holds any site, organisation and API client at all: without all three nobody can get a token. */
export async function findTenancyPresence(db: Executor): Promise<{ site: boolean; organisation: boolean; client: boolean }> {
  const [site, organisation, client] = await Promise.all(
    (['sites', 'organisations', 'api_clients'] as const).map((table) => db.selectFrom(table).select('id').limit(1).executeTakeFirst()),
  );
  return { site: site !== undefined, organisation: organisation !== undefined, client: client !== undefined };
}
