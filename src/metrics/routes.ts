import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { AppError } from '../errors.ts';

export const METRICS_PATH = '/metrics';

const BEARER = /^Bearer +(\S+) *$/i;
const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compared as digests of equal length, in constant time: the answer tells nothing of how much of a guess was right. */
export function isMetricsToken(authorization: string | undefined, token: string): boolean {
  const given = BEARER.exec(authorization ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/** The text a scraper reads, with Prometheus's content type. */
export async function sendMetrics(reply: FastifyReply, registry: { readonly contentType: string }, text: Promise<string>) {
  return reply.type(registry.contentType).header('cache-control', 'no-store').send(await text);
}

/** GET /metrics on the API's own port, for a scraper holding METRICS_TOKEN; 401 in the envelope for anyone else. */
export async function metricsRoutes(app: FastifyInstance, { registry, token }: { registry: Registry; token: string }) {
  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (!isMetricsToken(request.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthenticated');
    }
    return sendMetrics(reply, registry, registry.metrics());
  });
}
