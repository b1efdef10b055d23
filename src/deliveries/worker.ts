import type { Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../db/connect.ts';
import type { ClaimedDelivery } from '../db/dialects/delivery-claims.ts';
import { dispatchEvents } from './dispatch.ts';
import { recordNotices } from './notices.ts';
import { DEFAULT_RETRY, nextAttemptDelay, type RetryPolicy } from './retry.ts';
import { sendDelivery, SendFailure, type OpenAttachment } from './senders.ts';
import { pruneSettled, SETTLED_KEPT_DAYS } from './prune.ts';
import { pruneJobChanges } from '../search/facts.ts';
import { pruneExpiredKeys } from '../idempotency/repository.ts';

/*
 * The delivery worker: every process that runs one (DELIVERY_POLL_MS above
 * 0) fans events out, records the scheduled notices, and claims and sends
 * due deliveries. Claims are leases taken through the dialect seam, so any
 * number of workers on any number of machines share one store and none
 * sends a delivery another holds. The clock and the randomness are
 * injectable, so that tests can step through a day of retries.
 */

export interface WorkerOptions {
  readonly store: Store;
  readonly signingKey: Buffer;
  readonly allowPrivateTargets: boolean;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly openAttachment: OpenAttachment;
  readonly pollMs: number;
  readonly log?: FastifyBaseLogger;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly retry?: RetryPolicy;
  /** Deliveries claimed a round, sent side by side. */
  readonly batch?: number;
  /** How often notices are looked for; each round checks whether one is due. */
  readonly noticeEveryMs?: number;
  readonly sendTimeoutMs?: number;
}

/** How often settled deliveries and events past SETTLED_KEPT_DAYS, and expired Idempotency-Keys, are removed. */
const PRUNE_EVERY_MS = 3_600_000;

/** Longer than a send may take (10 s), so that a lease never ends under a send in flight. */
const LEASE_MS = 60_000;

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private stopped = false;
  private lastNotices = -Infinity;
  private lastPrune = -Infinity;
  private readonly transports = new Map<string, Transporter>();
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  /** This process's attempts by outcome, for the metrics: sent, failed to be retried, failed for good. */
  readonly outcomes = { delivered: 0, retried: 0, failed: 0 };

  constructor(private readonly options: WorkerOptions) {
    this.now = options.now ?? Date.now;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  start(): void {
    if (this.options.pollMs <= 0) return;
    const tick = () => {
      this.round = this.runOnce()
        .catch((error) => this.options.log?.warn({ err: error }, 'delivery round failed; the next round retries'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    this.timer = setTimeout(tick, this.options.pollMs);
  }

  /** Stops taking work and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    for (const transport of this.transports.values()) transport.close();
  }

  /** Fans every undispatched event out into deliveries. */
  async dispatch(): Promise<void> {
    const { db, dialect } = this.options.store;
    while ((await dispatchEvents(db, dialect, new Date(this.now()).toISOString())) > 0);
  }

  /** One round: fan out, record due notices, send what is due. Returns the deliveries sent or tried. */
  async runOnce(): Promise<number> {
    const { db, dialect } = this.options.store;
    await this.dispatch();
    if (this.now() - this.lastNotices >= (this.options.noticeEveryMs ?? 60_000)) {
      this.lastNotices = this.now();
      if ((await recordNotices(db, new Date(this.now()))) > 0) await this.dispatch();
    }
    if (this.now() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = this.now();
      await pruneSettled(db, new Date(this.now() - SETTLED_KEPT_DAYS * 86_400_000).toISOString());
      await pruneJobChanges(db);
      await pruneExpiredKeys(db, new Date(this.now()).toISOString());
    }
    const now = this.now();
    const claimed = await dialect.claimDue(db, new Date(now).toISOString(), new Date(now + LEASE_MS).toISOString(), this.options.batch ?? 10);
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const options = { ...this.options, db: this.options.store.db, transports: this.transports, timeoutMs: this.options.sendTimeoutMs };
    // An application erased since the claim must not go out: its erasure cancelled the delivery.
    if (delivery.application_id !== null && (await this.isCancelled(delivery))) return;
    try {
      const status = await sendDelivery(options, delivery, this.now());
      await this.settle(delivery, { status: 'delivered', delivered_at: new Date(this.now()).toISOString(), last_status: status, last_error: null });
      this.outcomes.delivered += 1;
      if (delivery.webhook_id !== null) await this.options.store.db.updateTable('webhooks').set({ failing_since: null }).where('id', '=', delivery.webhook_id).execute();
    } catch (error) {
      const failure = error instanceof SendFailure ? error : new SendFailure((error as Error).message);
      await this.fail(delivery, failure);
    }
  }

  private async isCancelled(delivery: ClaimedDelivery): Promise<boolean> {
    const now = await this.options.store.db.selectFrom('deliveries').select('status').where('id', '=', delivery.id).executeTakeFirst();
    return now?.status !== 'pending';
  }

  /* Only while this worker's lease holds: a worker whose lease ran out leaves the delivery to its new holder. */
  private async settle(delivery: ClaimedDelivery, changes: Record<string, unknown>): Promise<void> {
    await this.options.store.db
      .updateTable('deliveries')
      .set({ ...changes, attempts: delivery.attempts + 1, claimed_until: null })
      .where('id', '=', delivery.id)
      .where('claimed_until', '=', delivery.claimed_until)
      .execute();
  }

  private async fail(delivery: ClaimedDelivery, failure: SendFailure): Promise<void> {
    const now = this.now();
    const delay = failure.final ? null : nextAttemptDelay(this.retry, delivery.attempts + 1, Date.parse(delivery.created_at), now, this.options.random);
    const last = { last_status: failure.status, last_error: failure.message.slice(0, 1000) };
    if (delay === null) await this.settle(delivery, { ...last, status: 'failed' });
    else await this.settle(delivery, { ...last, next_attempt_at: new Date(now + delay).toISOString() });
    this.outcomes[delay === null ? 'failed' : 'retried'] += 1;
    if (delivery.webhook_id !== null && !failure.final) await this.noteWebhookFailure(delivery.webhook_id, now, failure.message);
  }

  /** A webhook whose deliveries have failed, without a success, for a day is disabled. */
  private async noteWebhookFailure(webhookId: number, now: number, reason: string): Promise<void> {
    const { db } = this.options.store;
    const nowIso = new Date(now).toISOString();
    await db.updateTable('webhooks').set({ failing_since: nowIso }).where('id', '=', webhookId).where('failing_since', 'is', null).execute();
    const since = new Date(now - this.retry.disableAfterMs).toISOString();
    await db
      .updateTable('webhooks')
      .set({ enabled: 0, disabled_at: nowIso, disabled_reason: `Deliveries failed for 24 hours; the last: ${reason}`.slice(0, 1000) })
      .where('id', '=', webhookId)
      .where('enabled', '=', 1)
      .where('failing_since', '<=', since)
      .execute();
  }
}
