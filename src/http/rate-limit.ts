import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

/*
 * 429 with Retry-After and X-RateLimit-* headers past the limit. Counted per
 * bearer token (or Basic credentials), else per address, in this process:
 * with several workers or machines each keeps its own count.
 */
function rateKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  if (!authorization) return `ip:${request.ip}`;
  return `auth:${createHash('sha256').update(authorization).digest('base64url')}`;
}

export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: rateKey,
    allowList: (request) => request.url.startsWith('/health/'),
  });
}
