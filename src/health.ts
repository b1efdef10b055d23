import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { pingStore, type Store } from './db/connect.ts';
import { isMigrationCurrent } from './db/migrate.ts';

const HealthStatus = Type.Object({ status: Type.String() });
/* Outside /api: no token, no Accept rule. */
const healthSchema = (operationId: string, summary: string, statuses: number[]) => ({
  tags: ['health'],
  operationId,
  summary,
  security: [],
  response: Object.fromEntries(statuses.map((status) => [status, HealthStatus])),
});

/** Liveness and readiness, outside the Accept and auth rules, for load balancers. */
export async function healthRoutes(app: FastifyInstance, { store }: { store: Store }) {
  app.get('/health/live', { schema: healthSchema('checkLiveness', 'Whether the process answers', [200]) }, async () => ({ status: 'ok' }));
  app.get(
    '/health/ready',
    { schema: healthSchema('checkReadiness', 'Whether the store is reachable and its migrations current', [200, 503]) },
    async (_request, reply) => {
      try {
        await pingStore(store);
        if (!(await isMigrationCurrent(store))) return reply.code(503).send({ status: 'migrations pending' });
        return { status: 'ok' };
      } catch {
        return reply.code(503).send({ status: 'database unreachable' });
      }
    },
  );
}
