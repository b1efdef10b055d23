import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/*
 * The suites that prove counts shared through Redis run whenever Redis can
 * be reached; in CI (CI=true) an unreachable Redis fails the run instead of
 * skipping them, as PostgreSQL does (test/support/stores.ts).
 */

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function whyRedisSuitesSkip(): Promise<string | false> {
  if (await redisReachable()) return false;
  if (process.env.CI === 'true') throw new Error(`Redis is unreachable at ${REDIS_URL}, and CI must run the Redis suites`);
  const reason = `Redis unreachable at ${REDIS_URL}: the shared-count suites are skipped`;
  process.stderr.write(`# ${reason}\n`);
  return reason;
}

/** false when Redis can be reached; otherwise the reason, for a suite's `skip` option. */
export const redisSkip: string | false = await whyRedisSuitesSkip();

/** A key prefix of one test's own: counts of parallel tests sharing the Redis never meet. */
export const freshRedisPrefix = () => `jobspace-test-${randomBytes(6).toString('hex')}:`;
