import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry.ts';

/** Every request that matched no route, whatever its path: one label value, so a scan of random URLs adds no series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** From a cached read to a slow search or a CV upload: 5 ms to 10 s, in seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LABELS = ['method', 'route', 'status'] as const;

/** `/api/job/:id(^\\d{1,10}$)` as `/api/job/:id`: a parameter's constraint says nothing to whoever reads the metrics. */
function routeLabel(pattern: string, labels: Map<string, string>): string {
  let label = labels.get(pattern);
  if (label === undefined) {
    label = pattern.replace(/(:\w+)\(.*?\$\)/g, '$1');
    labels.set(pattern, label);
  }
  return label;
}

/**
 * Counts each answered request and its latency by route pattern (never the
 * raw URL) and status. The scrapes are left out: every 15 s from each
 * scraper, they would be most of a quiet server's requests.
 */
export function recordRequests(app: FastifyInstance, registry: Registry, metricsPath: string): void {
  const requests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`, help: 'Requests answered, by method, route pattern and status.',
    labelNames: LABELS, registers: [registry],
  });
  const durations = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`, help: 'Time from a request\'s arrival to its answer\'s end, by method, route pattern and status.',
    labelNames: LABELS, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  // One entry per route the app has.
  const routeLabels = new Map<string, string>();
  app.addHook('onResponse', (request, reply, done) => {
    const pattern = request.routeOptions.url;
    if (pattern !== metricsPath) {
      const route = pattern === undefined ? UNMATCHED_ROUTE : routeLabel(pattern, routeLabels);
      const labels = { method: request.method, route, status: reply.statusCode };
      requests.inc(labels);
      durations.observe(labels, reply.elapsedTime / 1000);
    }
    done();
  });
}
