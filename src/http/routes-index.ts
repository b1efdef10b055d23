import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/*
 * Fastify answers a known path with an unknown method as 404; the contract
 * wants 405 with Allow. This index mirrors every route so the not-found
 * handler can tell the two apart.
 */
export interface RouteIndex {
  allowedMethods(path: string): string[];
}

export function indexRoutes(app: FastifyInstance): RouteIndex {
  const router = FindMyWay();
  const methodsByPattern = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      router.on(method as HTTPMethod, route.url, () => undefined);
      const known = methodsByPattern.get(route.url) ?? new Set<string>();
      known.add(method);
      methodsByPattern.set(route.url, known);
    }
  });
  return {
    allowedMethods(path) {
      const allowed = new Set<string>();
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        if (router.find(method, path)) allowed.add(method);
      }
      if (allowed.has('GET')) allowed.add('HEAD');
      return [...allowed];
    },
  };
}
