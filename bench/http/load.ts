import autocannon from 'autocannon';
import { sampleRss } from './rss.ts';
import type { ScenarioRequest } from './scenarios.ts';

/*
 * One autocannon run against a port, at fixed connections for a fixed time,
 * with the server's memory sampled meanwhile. Latency percentiles are taken
 * from every response's own time, since autocannon reports no p95.
 */

export interface LoadSettings {
  readonly connections: number;
  readonly seconds: number;
  /** How often autocannon counts; a run ends at the first count after its time is up. */
  readonly sampleMs?: number;
}

export interface Measurement {
  /** autocannon's mean of its per-second samples. */
  readonly requestsPerSecond: number;
  readonly sent: number;
  readonly responses: number;
  readonly seconds: number;
  /** Milliseconds, over every response. */
  readonly latency: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** The largest sum of the server processes' VmRSS seen, in bytes. */
  readonly peakRssBytes: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function drive(port: number, request: ScenarioRequest, settings: LoadSettings, serverPids: () => readonly number[]): Promise<Measurement> {
  const latencies: number[] = [];
  const memory = sampleRss(serverPids);
  let result: autocannon.Result;
  let peakRssBytes: number;
  try {
    result = await new Promise<autocannon.Result>((resolve, reject) => {
      const options = {
        url: `http://127.0.0.1:${port}`,
        connections: settings.connections,
        duration: settings.seconds,
        sampleInt: settings.sampleMs ?? 1000,
        requests: [request],
      };
      const instance = autocannon(options, (error, outcome) => (error ? reject(error) : resolve(outcome)));
      instance.on('response', (_client, _status, _bytes, milliseconds) => latencies.push(milliseconds));
    });
  } finally {
    peakRssBytes = memory.stop();
  }
  latencies.sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0;
  return {
    requestsPerSecond: result.requests.average,
    sent: result.requests.sent,
    responses: latencies.length,
    seconds: result.duration,
    latency: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    peakRssBytes,
  };
}
