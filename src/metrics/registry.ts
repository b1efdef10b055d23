import cluster from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';

/** Put before every metric's name, the process's default ones included. */
export const METRIC_PREFIX = 'jobspace_';

/*
 * One registry per app. In a cluster's worker it answers the primary's
 * requests for its metrics (prom-client's AggregatorRegistry), which sums
 * the workers' on METRICS_PORT (src/metrics/listener.ts).
 */
export function createRegistry(): Registry {
  const registry: Registry = cluster.isWorker ? new AggregatorRegistry<typeof Registry.PROMETHEUS_CONTENT_TYPE>() : new Registry();
  if (cluster.isWorker) AggregatorRegistry.setRegistries([registry]);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
