import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';
import { jobRoutes, type JobRouteOptions } from './jobs/routes.ts';
import { lookupRoutes } from './lookups/routes.ts';

/** Everything under /api (and, identically, /admin/api). */
export async function apiRoutes(app: FastifyInstance, options: JobRouteOptions) {
  await app.register(lookupRoutes, { catalogue: options.catalogue });
  await app.register(jobRoutes, options);
  // The published reference lists it; we honour it.
  app.get('/teapot', { schema: { hide: true } }, async () => {
    throw new AppError('teapot', "418 I'm a teapot");
  });
}
