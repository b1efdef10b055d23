import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';

/*
 * Browser scripts on the origins listed in CORS_ORIGINS may call the API;
 * without the setting no CORS header is sent and browsers keep other
 * origins out. Tokens travel in the Authorization header, never in cookies,
 * so credentials are not allowed. A request from any other origin, and an
 * OPTIONS request that is no preflight from a listed origin, is answered as
 * without CORS: 405 or 404 in the envelope.
 */

/**
 * Headers a script may read besides the CORS-safelisted ones: the request id, the limits' headers, and
 * what retries and conditional writes need (an ETag to send back in If-Match, the replay mark).
 */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'location', 'etag', 'idempotent-replayed'];
/** How long a browser may keep a preflight's answer: ten minutes, within every browser's cap. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  const anyOrigin = allowed.has('*');
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && (anyOrigin || allowed.has(origin))),
    methods: ['GET', 'HEAD', 'POST'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    // An OPTIONS request without Access-Control-Request-Method would get a plain-text 400 otherwise.
    strictPreflight: false,
  });
}
