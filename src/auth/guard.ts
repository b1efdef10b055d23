import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { nowIso } from '../clock.ts';
import { listClientSiteIds, listUserOrganisations } from '../tenancy/repository.ts';
import { findLiveAccessToken, readAuthGeneration } from './repository.ts';
import { parseBasicAuthorization } from './basic.ts';
import { authenticateClient, authenticateUser } from './service.ts';
import { hashToken } from './secrets.ts';
import type { Caller } from './caller.ts';
import { CallerCache } from './caller-cache.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;
/** A bearer token came, well-formed or not. */
const BEARER_ATTEMPT = /^Bearer\s+\S/i;

/*
 * RFC 6750 §3: every 401 challenges for a bearer token; the error code only
 * when one came and was refused. A request without a bearer token, R2's Basic
 * alternative included, gets the challenge alone, as §3.1 asks for a request
 * that used another method.
 */
const CHALLENGE = 'Bearer realm="api"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"';

interface Principal {
  userId: number | null;
  apiClientId: number;
  timezone: string | null;
}

/** The caller a principal acts as: a vendor's organisations and its client's sites, read together. */
async function resolveCaller(db: Db, principal: Principal, defaultTimezone: string): Promise<Caller> {
  const { userId, apiClientId } = principal;
  const timezone = principal.timezone ?? defaultTimezone;
  if (userId === null) return { kind: 'board', apiClientId, timezone, siteIds: await listClientSiteIds(db, apiClientId) };
  const [organisations, siteIds] = await Promise.all([
    listUserOrganisations(db, userId),
    listClientSiteIds(db, apiClientId),
  ]);
  return { kind: 'vendor', userId, apiClientId, timezone, organisations, siteIds };
}

async function callerFromBearer(db: Db, cache: CallerCache, token: string, defaultTimezone: string): Promise<Caller | null> {
  const tokenHash = hashToken(token);
  // Read before the token: a change committed after this read leaves the generation past the one remembered.
  const generation = await readAuthGeneration(db);
  const cached = cache.find(tokenHash, generation);
  if (cached) return cached;
  const found = await findLiveAccessToken(db, tokenHash, nowIso());
  if (!found) return null;
  const principal = { userId: found.user_id, apiClientId: found.api_client_id, timezone: found.timezone };
  const caller = await resolveCaller(db, principal, defaultTimezone);
  cache.remember(tokenHash, caller, generation, Date.parse(found.expires_at));
  return caller;
}

/* R2's alternative for clients allowed it: Client-Id and Client-Secret headers plus the user in Basic. */
async function callerFromBasic(db: Db, request: FastifyRequest, defaultTimezone: string): Promise<Caller | null> {
  const clientId = request.headers['client-id'];
  const clientSecret = request.headers['client-secret'];
  const user = parseBasicAuthorization(request.headers.authorization);
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !user) return null;
  const client = await authenticateClient(db, { clientId, clientSecret });
  if (!client || client.allow_basic !== 1 || client.kind !== 'vendor') return null;
  const account = await authenticateUser(db, user.user, user.password);
  if (!account) return null;
  return resolveCaller(db, { userId: account.id, apiClientId: client.id, timezone: account.timezone }, defaultTimezone);
}

export function bearerGuard(db: Db, defaultTimezone: string) {
  const cache = new CallerCache();
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization ?? '';
    const bearer = BEARER.exec(authorization);
    const caller = bearer
      ? await callerFromBearer(db, cache, bearer[1] as string, defaultTimezone)
      : await callerFromBasic(db, request, defaultTimezone);
    if (!caller) {
      // Set here rather than by the error handler, which renders every AppError alike.
      reply.header('www-authenticate', BEARER_ATTEMPT.test(authorization) ? INVALID_TOKEN_CHALLENGE : CHALLENGE);
      throw new AppError('unauthenticated');
    }
    request.caller = caller;
  };
}
