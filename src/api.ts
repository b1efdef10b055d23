import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';
import { jobRoutes, type JobRouteOptions } from './jobs/routes.ts';
import { lookupRoutes } from './lookups/routes.ts';
import { applicationRoutes } from './applications/routes.ts';
import type { ApplicationServices } from './applications/service.ts';
import { counterRoutes } from './counters/routes.ts';

import { webhookRoutes } from './webhooks/routes.ts';

export interface ApiRouteOptions extends JobRouteOptions {
  readonly applications: ApplicationServices;
  readonly webhooks: { readonly signingKey: Buffer; readonly allowPrivateTargets: boolean };
}

/** Everything under /api (and, identically, /admin/api). */
export async function apiRoutes(app: FastifyInstance, options: ApiRouteOptions) {
  await app.register(lookupRoutes, { catalogue: options.catalogue });
  await app.register(jobRoutes, options);
  await app.register(applicationRoutes, options.applications);
  await app.register(counterRoutes, { db: options.db });
  await app.register(webhookRoutes, { db: options.db, publicUrl: options.publicUrl, ...options.webhooks });
  // The published reference lists it; we honour it.
  app.get('/teapot', { schema: { hide: true } }, async () => {
    throw new AppError('teapot', "418 I'm a teapot");
  });
}
