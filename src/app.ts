import Fastify, { type FastifyInstance, type onSendAsyncHookHandler } from 'fastify';
import swagger from '@fastify/swagger';
import type { Config } from './config.ts';
import { openStore, type Store } from './db/connect.ts';
import { sqliteFileOf } from './db/dialects/store-url.ts';
import { prepareDatabase } from './prepare.ts';
import { loadCatalogue } from './lookups/catalogue.ts';
import type { DemoTenant } from './tenancy/demo.ts';
import { indexRoutes, type RouteIndex } from './http/routes-index.ts';
import { handleTokenError, installErrorHandling } from './http/errors.ts';
import { collapseSlashes } from './http/url.ts';
import { requestIdOf } from './http/request-id.ts';
import { refuseInfiniteNumbers } from './http/finite-numbers.ts';
import { answerClientErrors, answerFrameworkError, answerUnknownExpectations } from './http/transport-errors.ts';
import { BODY_LIMIT_BYTES, registerBodyParsers } from './http/body.ts';
import { negotiateVersion } from './http/accept.ts';
import { openapiOptions } from './http/openapi.ts';
import { refuseForMaintenance } from './http/maintenance.ts';
import { registerRequestLimit, registerTokenLimits, type RateLimitCounts } from './http/rate-limit.ts';
import { registerCors } from './http/cors.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { registerCompression } from './http/compression.ts';
import { registerDocsPage } from './http/docs-page.ts';
import { firstConnection, openRedis } from './redis.ts';
import { registerLoadShedding } from './http/load-shedding.ts';
import { bearerGuard } from './auth/guard.ts';
import { tokenRoutes } from './auth/routes.ts';
import { revokeRoutes } from './auth/revoke-routes.ts';
import { tokenFamilyLockFor } from './auth/family-lock.ts';
import { FailedAttempts } from './auth/failed-attempts.ts';
import { apiRoutes } from './api.ts';
import { JobFacts } from './search/facts.ts';
import { RenderedJobs } from './jobs/list-pages.ts';
import { ListCaches } from './search/list-cache.ts';
import { healthRoutes } from './health.ts';
import { openFolderStorage } from './media/storage.ts';
import { mediaRoutes } from './media/routes.ts';
import type { ApplicationServices } from './applications/service.ts';
import { openCvLinks } from './applications/cv-links.ts';
import { cvLinkRoutes } from './applications/routes.ts';
import { startApplicationSweep } from './applications/retention.ts';
import { ViewCounter } from './counters/views.ts';
import { loadSigningKey } from './webhooks/signing.ts';
import { DeliveryWorker } from './deliveries/worker.ts';
import { installIdempotency } from './idempotency/hooks.ts';
import { sealWith } from './idempotency/seal.ts';
import { CallerCache } from './auth/caller-cache.ts';
import { createRegistry } from './metrics/registry.ts';
import { recordRequests } from './metrics/request-metrics.ts';
import { METRICS_PATH } from './metrics/routes.ts';
import { serveMetrics } from './metrics/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    /** The demo tenant made at this start, or null (made earlier, or production). */
    demoTenant: DemoTenant | null;
    /** What applications are stored and sent with; the retention sweep runs on it (tests call it with a clock). */
    applications: ApplicationServices;
    /** Board views of jobs, counted in memory and written every few seconds. */
    jobViews: ViewCounter;
    /** This process's delivery worker (started unless DELIVERY_POLL_MS=0), stopped when the app closes. */
    deliveries: DeliveryWorker;
  }
}

/*
 * The HTTP server's bounds (docs/operations.md, "Timeouts"). A request's
 * headers, then its whole body, must arrive within these, or it is cut off
 * with 408: a client trickling bytes holds no connection for long.
 */
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 60_000;
/*
 * A connection silent this long while a request is on it (a client that
 * stopped reading its answer) is closed. Longer than any handler may take,
 * the database's own bounds included, as no bytes move while one runs.
 */
const CONNECTION_TIMEOUT_MS = 120_000;

/** Opens the store, brings it up to date and seeds it: everything the app needs before it listens. */
async function prepareStore(config: Config, onPoolError: (error: Error) => void) {
  const { connectMs, statementMs, lockWaitMs } = config.databaseTimeouts;
  const store = openStore(config.databaseUrl, {
    poolSize: config.databasePoolSize, onPoolError, timeouts: { connectMs, statementMs }, lockWaitMs,
  });
  try {
    const demoTenant = await prepareWithoutStatementTimeout(store, config);
    return { store, demoTenant, catalogue: await loadCatalogue(store.db) };
  } catch (error) {
    await store.db.destroy();
    throw error;
  }
}

/** Redis when REDIS_URL is set, closed with the app; start-up waits for its first connection or failure. */
function openRateLimitCounts(app: FastifyInstance, config: Config): RateLimitCounts {
  if (config.redisUrl === null) return { redis: null, keyPrefix: config.redisKeyPrefix };
  const redis = openRedis(config.redisUrl, app.log);
  app.addHook('onReady', () => firstConnection(redis));
  app.addHook('onClose', async () => redis.disconnect());
  return { redis, keyPrefix: config.redisKeyPrefix };
}

/*
 * A migration may run for minutes on a large store: on PostgreSQL it runs on a
 * connection of its own, which has no statement timeout. SQLite has none, and
 * an in-memory store is one connection.
 */
async function prepareWithoutStatementTimeout(store: Store, config: Config) {
  if (sqliteFileOf(config.databaseUrl) !== undefined) return prepareDatabase(store, config);
  const preparing = openStore(config.databaseUrl, {
    poolSize: 1, timeouts: { connectMs: config.databaseTimeouts.connectMs, statementMs: 0 },
  });
  try {
    return await prepareDatabase(preparing, config);
  } finally {
    await preparing.db.destroy();
  }
}

/** What a caller may add to the app as it is built; the tests read every answer before it is compressed. */
export interface BuildOptions {
  /** Sees each answer's payload as the route sent it, before compression turns it into a stream. */
  readonly inspectAnswer?: onSendAsyncHookHandler;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  let app: FastifyInstance | undefined;
  const { store, demoTenant, catalogue } = await prepareStore(config, (error) =>
    app?.log.warn({ err: error }, 'database connection lost; it will be replaced on next use'),
  );
  let routes: RouteIndex | undefined;
  app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    rewriteUrl: (request) => collapseSlashes(request.url ?? '/'),
    // Room for any id a client may put in a path, so a long one is an unknown route (404) in our envelope.
    routerOptions: { maxParamLength: 1000 },
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    // Longer than the load balancer's idle timeout, so that it, not we, closes an idle connection:
    // one we closed as it sent a request on it would fail that request with a 502.
    keepAliveTimeout: config.keepAliveTimeoutMs,
    clientErrorHandler: answerClientErrors(() => routes),
    frameworkErrors: answerFrameworkError,
    // Read in genReqId, which bounds what a client sends.
    requestIdHeader: false,
    // A request on a kept-alive connection during the drain is served, not refused outside our envelope.
    return503OnClosing: false,
    genReqId: requestIdOf,
    ajv: { customOptions: { coerceTypes: 'array', allErrors: false } },
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  app.decorate('store', store);
  app.decorate('demoTenant', demoTenant);
  app.decorateRequest('caller', null as never);
  app.decorateRequest('callerCheck', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Only when served: without METRICS_TOKEN or METRICS_PORT a request costs nothing more.
  const metrics = config.metrics.token !== null || config.metrics.port !== null ? createRegistry() : null;
  if (metrics) recordRequests(app, metrics, METRICS_PATH);
  app.addHook('onClose', async () => store.db.destroy());
  app.addHook('preHandler', refuseInfiniteNumbers);
  // Loaded before the server is ready, so that no first list waits for them (about a second a million
  // jobs), and before load shedding starts judging: onReady hooks run in order, and the loading's busy
  // loop says nothing about load (at 1,000,000 jobs the first token request was refused).
  const facts = new JobFacts(store.db);
  app.addHook('onReady', () => facts.current());

  answerUnknownExpectations(app.server, app.log);
  routes = indexRoutes(app);
  installErrorHandling(app, routes);
  // First of the plugins with hooks: a request refused for load costs as little as it can.
  await registerLoadShedding(app, config.loadShedding);
  // Before any refusal of ours, so that a browser script can read a 429 or a 401 too.
  await registerCors(app, config.corsOrigins);
  await registerSecurityHeaders(app, config.publicUrl);
  if (options.inspectAnswer) app.addHook('onSend', options.inspectAnswer);
  await registerCompression(app);
  await registerBodyParsers(app);
  const rateCounts = openRateLimitCounts(app, config);
  await registerRequestLimit(app, rateCounts, config.rateLimitPerMinute);
  await app.register(swagger, openapiOptions(config.publicUrl));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerDocsPage(app, config.publicUrl);
  await app.register(healthRoutes, { store });
  const media = await openFolderStorage(config.mediaDir);
  await app.register(mediaRoutes, { storage: media });

  const failures = new FailedAttempts(config.authFailures);
  await app.register(async (oauth) => {
    if (config.maintenance) oauth.addHook('onRequest', refuseForMaintenance);
    oauth.addHook('onRequest', negotiateVersion);
    oauth.setErrorHandler(handleTokenError);
    await registerTokenLimits(oauth, rateCounts, config.tokenRateLimitPerMinute);
    const rotation = { reuseSeconds: config.refreshReuseSeconds, lockFamily: tokenFamilyLockFor(store.dialect) };
    await oauth.register(tokenRoutes, { db: store.db, rotation, failures });
    await oauth.register(revokeRoutes, { db: store.db, lockFamily: rotation.lockFamily, failures });
  });
  const callers = new CallerCache();
  const guard = bearerGuard(store.db, config.defaultTimezone, failures, callers);
  const fullText = store.dialect.fullText;
  const jobsChanged = store.dialect.changeStamp(store.db);
  app.addHook('onClose', () => jobsChanged.stop());
  const lists = new ListCaches(facts, () => jobsChanged.read());
  const renderedJobs = new RenderedJobs();
  facts.listen(renderedJobs);
  const transact = store.dialect.transact(store.db);
  const applications: ApplicationServices = {
    db: store.db,
    transact,
    catalogue,
    lists,
    files: await openFolderStorage(config.applications.filesDir),
    cvLinks: await openCvLinks(store.db, config.applications.linkSecret, config.publicUrl),
    publicUrl: config.publicUrl,
    sendsEmail: config.smtpUrl !== null,
    cvInline: config.applications.cvInline,
    retentionDays: config.applications.retentionDays,
  };
  app.decorate('applications', applications);
  const views = new ViewCounter(transact, app.log);
  app.decorate('jobViews', views);
  const sweep = startApplicationSweep(applications, app.log);
  // onClose hooks run last registered first: these finish before the store is destroyed.
  app.addHook('onClose', async () => {
    await sweep.stop();
    await views.stop();
  });
  await app.register(cvLinkRoutes, applications);
  const signingKey = await loadSigningKey(config.deliveries);
  const webhooks = { signingKey, allowPrivateTargets: config.deliveries.allowPrivateTargets };
  const idempotency = { db: store.db, transact, seal: sealWith(signingKey) };
  for (const prefix of ['/api', '/admin/api']) {
    await app.register(
      async (api) => {
        if (config.maintenance) api.addHook('onRequest', refuseForMaintenance);
        api.addHook('onRequest', negotiateVersion);
        api.addHook('onRequest', guard);
        installIdempotency(api, idempotency);
        await api.register(apiRoutes, { db: store.db, transact, catalogue, fullText, lists, renderedJobs, media, publicUrl: config.publicUrl, views, applications, webhooks });
      },
      { prefix },
    );
  }
  const worker = new DeliveryWorker({
    store,
    ...webhooks,
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
    // An e-mailed application attaches its CV, opened from the applications' own storage by key.
    openAttachment: (key) => applications.files.get(key),
    pollMs: config.deliveries.pollMs,
    log: app.log,
  });
  app.decorate('deliveries', worker);
  app.addHook('onReady', async () => worker.start());
  // Before the store closes: the round in flight finishes first.
  app.addHook('preClose', () => worker.stop());
  if (metrics) {
    const caches = { list_counts: lists.counts.lookups, text_hits: lists.textHits.lookups, rendered_jobs: renderedJobs.lookups, callers: callers.lookups };
    await serveMetrics(app, metrics, config.metrics, { store, lists, deliveries: worker, caches, log: app.log });
  }
  return app;
}
