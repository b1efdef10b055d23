import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { LoadSheddingConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { METRICS_PATH } from '../metrics/routes.ts';

/*
 * Past capacity a server that takes every request serves each one later, until
 * every answer is late: the queue grows without bound. @fastify/under-pressure
 * measures the event loop every sample; while the last measurement is past a
 * bound, every request is refused at once with 503 and Retry-After, in the
 * contract's envelope, before any authentication or database work.
 *
 * Start-up (compiling every route's schemas) blocks the loop for a while
 * and says nothing about load, so nothing is refused until two samples have
 * passed since the app was ready: the measurement then covers serving only.
 *
 * The health endpoints are never refused: a load balancer that saw readiness
 * flap with load would move this machine's traffic to the others and push
 * them over in turn. Readiness stays about the database. Nor is /metrics:
 * a scrape under load is when its numbers matter most.
 */

function isNeverShed(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && (route.startsWith('/health/') || route === METRICS_PATH);
}

export async function registerLoadShedding(app: FastifyInstance, config: LoadSheddingConfig): Promise<void> {
  if (config.maxEventLoopDelayMs === 0 && config.maxEventLoopUtilisation === 0) return;
  // The pressure is measured again after one sample, so a retry after that may be served.
  const retryAfterSeconds = Math.max(1, Math.ceil(config.sampleMs / 1000));
  let judgedFrom = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    judgedFrom = performance.now() + 2 * config.sampleMs;
  });
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxEventLoopUtilization: config.maxEventLoopUtilisation,
    // Each sample judges the time since the one before, not the average since start.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: config.sampleMs,
    pressureHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (isNeverShed(request) || performance.now() < judgedFrom) return;
      reply.header('retry-after', String(retryAfterSeconds));
      throw new AppError('service_unavailable', '503 Service Unavailable: the server is over capacity; retry after the Retry-After seconds.');
    },
  });
}
