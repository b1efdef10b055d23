import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/db/connect.ts';
import { DeliveryWorker } from '../../src/deliveries/worker.ts';
import { loadSigningKey } from '../../src/webhooks/signing.ts';

/*
 * A delivery worker in a process of its own, on the store its environment
 * names: it sends until it finds nothing three rounds running, then exits.
 * Tests run it beside one in the test process, as two machines would.
 */
const config = loadConfig(process.env);
const store = openStore(config.databaseUrl);
const worker = new DeliveryWorker({
  store,
  signingKey: await loadSigningKey(config.deliveries),
  allowPrivateTargets: config.deliveries.allowPrivateTargets,
  smtpUrl: config.smtpUrl,
  mailFrom: 'no-reply@jobs.test',
  openAttachment: async () => undefined,
  pollMs: 0,
  batch: 3,
});
// The test starts its own worker once this one is about to take work, so that the two race.
process.stdout.write('ready\n');
let sent = 0;
for (let idle = 0; idle < 3;) {
  const claimed = await worker.runOnce();
  sent += claimed;
  idle = claimed === 0 ? idle + 1 : 0;
  if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}
await store.db.destroy();
process.stdout.write(`${sent}\n`);
