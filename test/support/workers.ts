import { loadSigningKey } from '../../src/webhooks/signing.ts';
import { DeliveryWorker, type WorkerOptions } from '../../src/deliveries/worker.ts';
import type { TestApp } from './app.ts';

/** A clock a test moves by hand. */
export class TestClock {
  constructor(public current = Date.now()) {}
  readonly now = () => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A delivery worker on the test app's store (or another store of the same data), run round by round by the test. */
export async function testWorker(test: TestApp, options: Partial<WorkerOptions> = {}): Promise<DeliveryWorker> {
  return new DeliveryWorker({
    store: test.app.store,
    signingKey: await loadSigningKey(test.config.deliveries),
    allowPrivateTargets: test.config.deliveries.allowPrivateTargets,
    smtpUrl: test.config.smtpUrl,
    mailFrom: 'The Job Space <no-reply@jobs.test>',
    openAttachment: async () => undefined,
    pollMs: 0,
    ...options,
  });
}

export const HOUR_MS = 3_600_000;
