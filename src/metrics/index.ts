import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { MetricsConfig } from '../config.ts';
import { listenForMetrics } from './listener.ts';
import { metricsRoutes } from './routes.ts';
import { type MetricSources, watchSources } from './store-metrics.ts';

/**
 * Serves the app's metrics: on its own port behind METRICS_TOKEN, and on
 * METRICS_PORT while the app runs. A cluster's workers leave METRICS_PORT
 * to the primary, which serves their sum (src/server.ts).
 */
export async function serveMetrics(app: FastifyInstance, registry: Registry, config: MetricsConfig, sources: MetricSources) {
  watchSources(registry, sources);
  if (config.token !== null) await app.register(metricsRoutes, { registry, token: config.token });
  const port = config.port;
  if (port === null || cluster.isWorker) return;
  let listener: FastifyInstance | undefined;
  const scrape = { contentType: registry.contentType, read: () => registry.metrics() };
  app.addHook('onReady', async () => {
    listener = await listenForMetrics(scrape, { port, host: config.host }, app.log);
  });
  app.addHook('onClose', async () => listener?.close());
}
