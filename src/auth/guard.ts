import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { nowIso } from '../clock.ts';
import { listClientSiteIds, listUserOrganisations } from '../tenancy/repository.ts';
import { findLiveAccessToken } from './repository.ts';
import { parseBasicAuthorization } from './basic.ts';
import { authenticateClient, authenticateUser } from './service.ts';
import { hashToken } from './secrets.ts';
import type { Caller } from './caller.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;

interface Principal {
  userId: number | null;
  apiClientId: number;
  timezone: string | null;
}

async function principalFromBearer(db: Db, token: string): Promise<Principal | null> {
  const found = await findLiveAccessToken(db, hashToken(token), nowIso());
  return found ? { userId: found.user_id, apiClientId: found.api_client_id, timezone: found.timezone } : null;
}

/* R2's alternative for clients allowed it: Client-Id and Client-Secret headers plus the user in Basic. */
async function principalFromBasic(db: Db, request: FastifyRequest): Promise<Principal | null> {
  const clientId = request.headers['client-id'];
  const clientSecret = request.headers['client-secret'];
  const user = parseBasicAuthorization(request.headers.authorization);
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !user) return null;
  const client = await authenticateClient(db, { clientId, clientSecret });
  if (!client || client.allow_basic !== 1 || client.kind !== 'vendor') return null;
  const account = await authenticateUser(db, user.user, user.password);
  return account ? { userId: account.id, apiClientId: client.id, timezone: account.timezone } : null;
}

export function bearerGuard(db: Db, defaultTimezone: string) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const bearer = BEARER.exec(request.headers.authorization ?? '');
    const principal = bearer ? await principalFromBearer(db, bearer[1] as string) : await principalFromBasic(db, request);
    if (!principal) throw new AppError('unauthenticated');
    const { userId, apiClientId } = principal;
    const timezone = principal.timezone ?? defaultTimezone;
    if (userId === null) {
      request.caller = { kind: 'board', apiClientId, timezone, siteIds: await listClientSiteIds(db, apiClientId) };
      return;
    }
    const [organisations, siteIds] = await Promise.all([
      listUserOrganisations(db, userId),
      listClientSiteIds(db, apiClientId),
    ]);
    request.caller = { kind: 'vendor', userId, apiClientId, timezone, organisations, siteIds };
  };
}
