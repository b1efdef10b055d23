import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../db/connect.ts';
import type { PoolUse } from '../db/dialects/index.ts';
import { countBacklog } from '../deliveries/backlog.ts';
import type { DeliveryWorker } from '../deliveries/worker.ts';
import { dayNumber } from '../search/facts.ts';
import type { ListCaches } from '../search/list-cache.ts';
import type { CacheLookups } from './cache-lookups.ts';
import { METRIC_PREFIX } from './registry.ts';

/** What the metrics read at each scrape: nothing here is counted per request. */
export interface MetricSources {
  readonly store: Store;
  readonly lists: ListCaches;
  readonly deliveries: DeliveryWorker;
  /** Each cache's lookups, by the name its label gives it. */
  readonly caches: Readonly<Record<string, CacheLookups>>;
  readonly log: FastifyBaseLogger;
}

/*
 * Gauges of the store's state are the same in every worker of a cluster:
 * aggregated by `max`, not summed. This process's own (its pool, its counts)
 * are summed.
 */
export function watchSources(registry: Registry, sources: MetricSources): void {
  watchPool(registry, sources.store);
  watchLockWaits(registry, sources.store);
  watchJobs(registry, sources);
  watchDeliveries(registry, sources);
  watchCaches(registry, sources.caches);
}

function watchLockWaits(registry: Registry, store: Store): void {
  const lockWaits = store.dialect.lockWaits;
  if (!lockWaits) return;
  new Counter({
    name: `${METRIC_PREFIX}db_lock_waits_total`, help: 'SQLite: statements that met another process\'s write lock and waited; `timed_out` of them gave up at DATABASE_LOCK_TIMEOUT_MS.',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      const { waited, timedOut } = lockWaits();
      this.reset();
      this.inc({ outcome: 'waited' }, waited);
      this.inc({ outcome: 'timed_out' }, timedOut);
    },
  });
}

function watchPool(registry: Registry, store: Store): void {
  const poolUse = store.dialect.poolUse;
  if (!poolUse) return;
  const gauge = (name: string, help: string, read: (use: PoolUse) => number) =>
    new Gauge({ name: `${METRIC_PREFIX}${name}`, help, registers: [registry], collect() { this.set(read(poolUse())); } });
  gauge('db_pool_connections', 'PostgreSQL connections open in this process\'s pool, busy or idle.', (use) => use.total);
  gauge('db_pool_idle_connections', 'PostgreSQL connections open and idle.', (use) => use.idle);
  gauge('db_pool_waiting_queries', 'Queries waiting for a free PostgreSQL connection.', (use) => use.waiting);
}

/** Read from the in-memory facts (src/search/facts.ts), brought up to date first as a list would: no count in SQL. */
function watchJobs(registry: Registry, { lists, log }: MetricSources): void {
  new Gauge({
    name: `${METRIC_PREFIX}jobs`, help: 'Listed (not deleted) jobs by status, as of today in UTC.',
    labelNames: ['status'], aggregator: 'max', registers: [registry],
    async collect() {
      this.reset();
      try {
        await lists.current();
        const today = dayNumber(new Date().toISOString().slice(0, 10));
        for (const [status, count] of Object.entries(lists.facts.countByStatus(today))) this.set({ status }, count);
      } catch (error) {
        log.warn({ err: error }, 'metrics: jobs could not be counted');
      }
    },
  });
}

function watchDeliveries(registry: Registry, { store, deliveries, log }: MetricSources): void {
  new Gauge({
    name: `${METRIC_PREFIX}deliveries_backlog`, help: 'What is owed: deliveries pending (due or waiting for a retry) and events not yet fanned out.',
    labelNames: ['kind'], aggregator: 'max', registers: [registry],
    async collect() {
      this.reset();
      try {
        const backlog = await countBacklog(store.db);
        this.set({ kind: 'pending_deliveries' }, backlog.pendingDeliveries);
        this.set({ kind: 'undispatched_events' }, backlog.undispatchedEvents);
      } catch (error) {
        log.warn({ err: error }, 'metrics: the delivery backlog could not be counted');
      }
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}delivery_attempts_total`, help: 'Delivery attempts by this process: delivered, failed to be retried, or failed for good.',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(deliveries.outcomes)) this.inc({ outcome }, count);
    },
  });
}

function watchCaches(registry: Registry, caches: MetricSources['caches']): void {
  new Counter({
    name: `${METRIC_PREFIX}cache_lookups_total`, help: 'Lookups in this process\'s caches, by cache and by whether they hit.',
    labelNames: ['cache', 'outcome'], registers: [registry],
    collect() {
      this.reset();
      for (const [cache, lookups] of Object.entries(caches)) {
        this.inc({ cache, outcome: 'hit' }, lookups.hits);
        this.inc({ cache, outcome: 'miss' }, lookups.misses);
      }
    },
  });
}
