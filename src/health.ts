import type { FastifyInstance } from 'fastify';
import { pingStore, type Store } from './db/connect.ts';
import { isMigrationCurrent } from './db/migrate.ts';

/** Liveness and readiness, outside the Accept and auth rules, for load balancers. */
export async function healthRoutes(app: FastifyInstance, { store }: { store: Store }) {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await pingStore(store);
      if (!(await isMigrationCurrent(store))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });
}
