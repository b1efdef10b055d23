import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { nowIso } from '../clock.ts';
import { listClientSiteIds, listUserOrganisations } from '../tenancy/repository.ts';
import { findLiveAccessToken, readAuthGeneration } from './repository.ts';
import { parseBasicAuthorization } from './basic.ts';
import { authenticateClient, authenticateUser } from './service.ts';
import { hashToken } from './secrets.ts';
import type { Caller, ReadAsOf } from './caller.ts';
import { CallerCache } from './caller-cache.ts';
import { refuseOverLimit, type FailedAttempts } from './failed-attempts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    /** The check still owed on a caller remembered for its token, on a route that reads the generation itself; null when none is. */
    callerCheck: CallerCheck | null;
  }
  interface FastifyContextConfig {
    /**
     * The route reads as its caller through readAsCaller, whose statement
     * reads the auth generation beside the data: a remembered caller costs
     * that route no statement of its own.
     */
    readsAuthGeneration?: boolean;
  }
}

/** A caller remembered at this generation, not yet confirmed for this request. */
interface CallerCheck {
  readonly generation: number;
  /** The store's generation now, for a read that saw none. */
  readonly readGeneration: () => Promise<number>;
  /** The token's caller resolved afresh, or the 401 that refuses it. */
  readonly renew: () => Promise<Caller>;
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

/** The stored hash of the bearer token in an Authorization header, however the scheme is spelt; undefined without one. */
export const tokenHashOf = (authorization: string) => {
  const token = BEARER.exec(authorization)?.[1];
  return token === undefined ? undefined : hashToken(token);
};

async function callerFromBearer(db: Db, cache: CallerCache, tokenHash: string | undefined, defaultTimezone: string): Promise<Caller | null> {
  if (tokenHash === undefined) return null;
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

interface BasicAttempt {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/* R2's alternative: Client-Id and Client-Secret headers plus the user in Basic; null unless all three came. */
function readBasicAttempt(request: FastifyRequest): BasicAttempt | null {
  const clientId = request.headers['client-id'];
  const clientSecret = request.headers['client-secret'];
  const user = parseBasicAuthorization(request.headers.authorization);
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !user) return null;
  return { clientId, clientSecret, username: user.user, password: user.password };
}

/** The caller, or the credential refused: the client's (or a client not allowed Basic), or the user's. */
async function callerFromBasic(db: Db, attempt: BasicAttempt, defaultTimezone: string): Promise<Caller | 'client' | 'user'> {
  const client = await authenticateClient(db, attempt);
  if (!client || client.allow_basic !== 1 || client.kind !== 'vendor') return 'client';
  const account = await authenticateUser(db, attempt.username, attempt.password);
  if (!account) return 'user';
  return resolveCaller(db, { userId: account.id, apiClientId: client.id, timezone: account.timezone }, defaultTimezone);
}

const TOO_MANY_FAILURES = '429 Too Many Requests: too many failed authentications; retry after the Retry-After seconds.';


// The headers are set here rather than by the error handler, which renders every AppError alike.
function unauthenticated(reply: FastifyReply, challenge: string): never {
  reply.header('www-authenticate', challenge);
  throw new AppError('unauthenticated');
}

export function bearerGuard(db: Db, defaultTimezone: string, failures: FailedAttempts, cache = new CallerCache()) {
  const readGeneration = () => readAuthGeneration(db);
  /** The token's caller, or the 401 that refuses it. */
  async function bearerCaller(request: FastifyRequest, reply: FastifyReply, tokenHash: string | undefined): Promise<Caller> {
    const caller = await callerFromBearer(db, cache, tokenHash, defaultTimezone);
    if (caller) return caller;
    failures.record({ address: request.ip });
    unauthenticated(reply, INVALID_TOKEN_CHALLENGE);
  }
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization ?? '';
    const bearer = BEARER_ATTEMPT.test(authorization);
    const basic = bearer ? null : readBasicAttempt(request);
    const address = request.ip;
    const overLimit = () => new AppError('too_many_requests', TOO_MANY_FAILURES);
    refuseOverLimit(failures, { address, username: basic?.username }, reply, overLimit);
    if (bearer) {
      const tokenHash = tokenHashOf(authorization);
      const remembered = tokenHash !== undefined && request.routeOptions.config.readsAuthGeneration ? cache.recall(tokenHash) : undefined;
      if (remembered) {
        request.caller = remembered.caller;
        request.callerCheck = { generation: remembered.generation, readGeneration, renew: () => bearerCaller(request, reply, tokenHash) };
        return;
      }
      request.caller = await bearerCaller(request, reply, tokenHash);
      return;
    }
    if (basic) {
      const caller = await callerFromBasic(db, basic, defaultTimezone);
      if (typeof caller !== 'string') {
        request.caller = caller;
        return;
      }
      failures.record({ address, username: caller === 'user' ? basic.username : undefined });
    }
    unauthenticated(reply, CHALLENGE);
  };
}

/**
 * Runs a route's read as the request's caller. A caller remembered for its
 * token is not yet confirmed on a route that readsAuthGeneration: the read's
 * statement reads the generation too (one statement rather than two, one
 * round trip on PostgreSQL), and what it found stands only at the generation
 * the caller was resolved at. Either way no change committed before the
 * statement is missed, as with the guard's own read. Otherwise the caller is
 * resolved afresh, or refused, and the read runs again.
 */
export async function readAsCaller<T>(request: FastifyRequest, read: (caller: Caller) => Promise<ReadAsOf<T>>): Promise<T> {
  const check = request.callerCheck;
  const found = await read(request.caller);
  if (check === null) return found.value;
  request.callerCheck = null;
  // A read that matched no row saw no generation; one read after it still confirms the caller it read as.
  if ((found.generation ?? (await check.readGeneration())) === check.generation) return found.value;
  request.caller = await check.renew();
  return (await read(request.caller)).value;
}
