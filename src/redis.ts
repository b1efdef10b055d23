import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/*
 * The Redis the rate limits count in, shared by every process and machine.
 * Counting is worth less than serving: while Redis cannot be reached a
 * command fails at once (no offline queue, no retry of a command in flight)
 * or after COMMAND_TIMEOUT_MS, and the request is served uncounted. The
 * client reconnects by itself; the loss and the return are each logged once.
 */

/** How long a request may wait for a Redis that accepts connections but does not answer. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;

export function openRedis(url: string, log: FastifyBaseLogger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  let reachable: boolean | undefined;
  redis.on('ready', () => {
    if (reachable === false) log.info('Redis reachable again: rate limits are counted in it');
    reachable = true;
  });
  // Emitted at every failed reconnection: only the first of an outage is worth a line.
  redis.on('error', (error: Error) => {
    if (reachable === false) return;
    reachable = false;
    log.warn({ err: error }, 'Redis unreachable: requests are served without rate limits until it is back');
  });
  return redis;
}

/** Resolves once the first connection has been made or has failed, so that start-up neither hangs on Redis nor races it. */
export function firstConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const settle = () => {
      redis.off('ready', settle);
      redis.off('error', settle);
      resolve();
    };
    redis.on('ready', settle);
    redis.on('error', settle);
  });
}
