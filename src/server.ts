import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { superviseWorkers } from './cluster.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { openStore } from './db/connect.ts';
import { describeMissingTenant, prepareDatabase, waitForDatabase } from './prepare.ts';
import { processLog } from './process-log.ts';
import { type DemoTenant, demoTenantBanner } from './tenancy/demo.ts';
import { loadGazetteerApart } from './geo/gazetteer.ts';
import { AggregatorRegistry, Registry } from 'prom-client';
import { listenForMetrics } from './metrics/listener.ts';

/** How long requests in flight at a shutdown signal may take before the process exits anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

function printDemoTenant(demo: DemoTenant, publicUrl: string): void {
  process.stdout.write(demoTenantBanner(demo, publicUrl));
}

/** Stops accepting connections, lets requests in flight finish, closes the pool and exits. */
function drain(app: FastifyInstance, signal: NodeJS.Signals): void {
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    app.log.error(`requests still in flight ${DRAIN_TIMEOUT_MS / 1000} s after ${signal}; exiting anyway`);
    process.exit(1);
  }, DRAIN_TIMEOUT_MS);
  force.unref();
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

/** Serves from this process: the only one, or one worker of a cluster. */
async function serve(config: Config): Promise<void> {
  let app: FastifyInstance | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const stopWaiting = new AbortController();
  // Listened for from the start, so a signal during start-up drains once listening.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) return;
    stopSignal = signal;
    if (app) drain(app, signal);
    else stopWaiting.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const log = processLog(config.logLevel);
  // Building the gazetteer index takes about a second: do it before
  // listening rather than during the first geocoded post.
  const [reachable] = await Promise.all([waitForDatabase(config, log, stopWaiting.signal), loadGazetteerApart()]);
  if (!reachable) {
    log.info({ signal: stopSignal }, 'stopped while waiting for the database');
    process.exit(0);
  }
  const started = await buildApp(config);
  await started.listen({ port: config.port, host: config.host });
  if (started.demoTenant) printDemoTenant(started.demoTenant, config.publicUrl);
  // A cluster's primary has said it already. Only a hint: failing to give it must not stop a listening server.
  const missingTenant = cluster.isPrimary ? await describeMissingTenant(started.store.db).catch(() => null) : null;
  if (missingTenant) started.log.warn(missingTenant);
  app = started;
  if (stopSignal) drain(app, stopSignal);
}

/**
 * The cluster primary prepares the database once, so workers never race to migrate a new one, then forks.
 * On METRICS_PORT it serves the sum of its workers' metrics, asked of each at every scrape.
 */
async function startCluster(config: Config): Promise<void> {
  const log = processLog(config.logLevel, { role: 'primary' });
  // Until the workers exist (superviseWorkers then takes the signals), a signal stops the wait and exits cleanly.
  const stopWaiting = new AbortController();
  const onSignal = () => stopWaiting.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const reachable = await waitForDatabase(config, log, stopWaiting.signal);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  if (!reachable) {
    log.info('stopped while waiting for the database');
    process.exit(0);
  }
  const store = openStore(config.databaseUrl, { poolSize: 1 });
  let demoTenant: DemoTenant | null;
  let missingTenant: string | null;
  try {
    demoTenant = await prepareDatabase(store, config);
    missingTenant = await describeMissingTenant(store.db);
  } finally {
    await store.db.destroy();
  }
  if (demoTenant) printDemoTenant(demoTenant, config.publicUrl);
  if (missingTenant) log.warn(missingTenant);
  // Before the workers exist, so that a port already taken stops the start with nothing left running.
  if (config.metrics.port !== null) {
    const registry = new AggregatorRegistry<typeof Registry.PROMETHEUS_CONTENT_TYPE>();
    const scrape = { contentType: registry.contentType, read: () => registry.clusterMetrics() };
    await listenForMetrics(scrape, { port: config.metrics.port, host: config.metrics.host }, log);
  }
  superviseWorkers(config.workers, log);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) await startCluster(config);
  else await serve(config);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Start-up failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
