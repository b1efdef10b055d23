import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';
import { canonicalUsername } from '../tenancy/username.ts';
import { tokenHashOf } from '../auth/guard.ts';
import { parseBasicAuthorization } from '../auth/basic.ts';

/*
 * 429 in the envelope with Retry-After past a limit, and X-RateLimit-* on
 * every limited response. Three counts, each in a window of a minute:
 *
 * - requests per bearer token (or Basic credentials), else per address, on
 *   every route but the health checks and the token endpoint;
 * - token requests per address;
 * - password grants per username, whatever the address: the username is in
 *   the body, so this one is counted once the body is parsed (preHandler).
 *
 * With Redis (REDIS_URL) every process and machine adds to one count; without
 * it each process counts alone. Redis failing, the request is served
 * uncounted (src/redis.ts): a limit is not worth an outage.
 */

export interface RateLimitCounts {
  /** null: each process counts in its own memory. */
  readonly redis: Redis | null;
  /** Put before every key in Redis, so deployments (and test runs) sharing one Redis never share a count. */
  readonly keyPrefix: string;
}

const WINDOW_MS = 60_000;
const TOO_MANY_REQUESTS = '429 Too Many Requests: slow down and retry after the Retry-After seconds.';
const TOKEN_ENDPOINT = '/oauth/token';

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/*
 * Who a request counts against: its bearer token, by the hash it is stored
 * under (however the header spells the scheme and spaces, so that no
 * respelling starts a count of its own); R2 Basic credentials by their
 * username alone, since a fast hash of a password would be worth guessing at
 * from Redis; anything else by address.
 */
function requestKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  if (!authorization) return `ip:${request.ip}`;
  const tokenHash = tokenHashOf(authorization);
  if (tokenHash !== undefined) return `token:${tokenHash}`;
  const basic = parseBasicAuthorization(authorization);
  return basic ? `basic:${digest(canonicalUsername(basic.user))}` : `ip:${request.ip}`;
}

/** The username of a password grant, as users are looked up; '' for any other request. */
function usernameKey(request: FastifyRequest): string {
  const body = request.body as Record<string, unknown> | undefined;
  const username = body?.grant_type === 'password' ? body.username : undefined;
  return typeof username === 'string' && username !== '' ? digest(canonicalUsername(username)) : '';
}

function limitOptions(counts: RateLimitCounts, name: string, max: number): RateLimitPluginOptions {
  return {
    max,
    timeWindow: WINDOW_MS,
    ...(counts.redis ? { redis: counts.redis, nameSpace: `${counts.keyPrefix}rate-limit:${name}:` } : {}),
    // A count that cannot be read (Redis down) lets the request through.
    skipOnError: true,
    errorResponseBuilder: () => new AppError('too_many_requests', TOO_MANY_REQUESTS),
  };
}

/** The request limit, on every route registered after it but the health checks and the token endpoint. */
export async function registerRequestLimit(app: FastifyInstance, counts: RateLimitCounts, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    ...limitOptions(counts, 'request', perMinute),
    keyGenerator: requestKey,
    allowList: (request) => request.url.startsWith('/health/') || request.routeOptions.url === TOKEN_ENDPOINT,
  });
}

/**
 * The token endpoint's limits, on the routes registered after them in `oauth`.
 * X-RateLimit-* tell the address's count; a username over its own limit is
 * refused with its own Retry-After.
 */
export async function registerTokenLimits(oauth: FastifyInstance, counts: RateLimitCounts, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await oauth.register(rateLimit, { ...limitOptions(counts, 'token-address', perMinute), keyGenerator: (request) => request.ip });
  await oauth.register(rateLimit, {
    ...limitOptions(counts, 'token-username', perMinute),
    hook: 'preHandler',
    keyGenerator: usernameKey,
    allowList: (_request, key) => key === '',
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });
}
