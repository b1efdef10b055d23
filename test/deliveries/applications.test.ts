import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { applicationJson, createLiveJob, issueBoardToken, PDF, postApplication } from '../support/applications.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { stores } from '../support/stores.ts';
import { testWorker } from '../support/workers.ts';
import { enqueueDelivery, type NewDelivery } from '../../src/deliveries/outbox.ts';
import { applicationSecret, loadSigningKey } from '../../src/webhooks/signing.ts';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[]; refuse: boolean }> {
  const state = { mails: [] as Mail[], refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuse) return callback(Object.assign(new Error('mailbox busy'), { responseCode: 451 }));
        state.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, { server, port });
}

for (const store of stores) describe(`application deliveries [${store}]`, () => {
  let test: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let receiver: Receiver;
  before(async () => {
    smtp = await startSmtp();
    receiver = await startReceiver();
    test = await buildTestApp(store, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  after(async () => {
    await test.close();
    await receiver.stop();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  const enqueue = (delivery: Pick<NewDelivery, 'kind' | 'target' | 'payload'>) =>
    test.app.store.db.transaction().execute((tx) => enqueueDelivery(tx, { organisationId: 1, applicationId: 7, ...delivery } as NewDelivery));
  const lastDelivery = () => test.app.store.db.selectFrom('deliveries').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();

  it('e-mails an application with its CV attached through the SMTP server, retrying a refusal', async () => {
    const cv = Buffer.from('%PDF-1.4 a short CV');
    const opened: string[] = [];
    const worker = await testWorker(test, {
      openAttachment: async (key) => {
        opened.push(key);
        return key === 'cvs/abc.pdf' ? cv : undefined;
      },
    });
    await enqueue({
      kind: 'application_email',
      target: 'jobs@employer.example',
      payload: {
        subject: 'Application: Accountant',
        text: 'Ada applied.',
        replyTo: 'ada@example.com',
        attachment: { storageKey: 'cvs/abc.pdf', filename: 'ada-cv.pdf', contentType: 'application/pdf' },
      },
    });
    smtp.refuse = true;
    await worker.runOnce();
    let delivery = await lastDelivery();
    assert.equal(delivery.status, 'pending');
    assert.equal(delivery.last_status, 451);
    assert.match(String(delivery.last_error), /mailbox busy/);

    smtp.refuse = false;
    await test.app.store.db.updateTable('deliveries').set({ next_attempt_at: new Date().toISOString() }).where('id', '=', delivery.id).execute();
    await worker.runOnce();
    delivery = await lastDelivery();
    assert.equal(delivery.status, 'delivered', String(delivery.last_error));
    assert.equal(delivery.attempts, 2);
    assert.deepEqual(opened, ['cvs/abc.pdf', 'cvs/abc.pdf']);
    assert.equal(smtp.mails.length, 1);
    const [mail] = smtp.mails;
    assert.deepEqual(mail!.to, ['jobs@employer.example']);
    assert.equal(mail!.from, 'no-reply@jobs.test');
    assert.match(mail!.raw, /^Subject: Application: Accountant\r?$/m);
    assert.match(mail!.raw, /Ada applied\./);
    assert.match(mail!.raw, /filename=ada-cv\.pdf|filename="ada-cv\.pdf"/);
    assert.ok(mail!.raw.includes(cv.toString('base64')), 'the CV is attached');
    assert.match(mail!.raw, new RegExp(`^JobSpace-Event-Id: ${delivery.event_id}\\r?$`, 'mi'));
  });

  it("e-mails a candidate's application to an EMAIL job's address with the CV they sent, through the app's own worker", async () => {
    const vendor = await issueToken(test.app);
    const jobId = await createLiveJob(test, vendor, { apply_type: 'EMAIL', apply_url: 'hr@employer.example' });
    const board = await issueBoardToken(test.app);
    const applied = await postApplication(test, board, jobId, applicationJson({
      email: 'grace@example.com', cv_content: PDF.toString('base64'), cv_filename: 'grace.pdf',
    }));
    assert.equal(applied.statusCode, 201, applied.body);
    const before = smtp.mails.length;
    await test.app.deliveries.runOnce();
    assert.equal(smtp.mails.length, before + 1, String((await lastDelivery()).last_error));
    const mail = smtp.mails.at(-1) as Mail;
    assert.deepEqual(mail.to, ['hr@employer.example']);
    assert.match(mail.raw, /^Reply-To: grace@example\.com\r?$/m);
    assert.match(mail.raw, /filename=grace\.pdf|filename="grace\.pdf"/);
    assert.ok(mail.raw.replace(/\r?\n/g, '').includes(PDF.toString('base64')), 'the CV the candidate sent is attached');
  });

  it("POSTs an application to the job's apply URL, signed with the organisation's application key", async () => {
    await enqueue({ kind: 'application_post', target: receiver.url('/apply'), payload: { id: 7, name: 'Ada' } });
    await (await testWorker(test)).runOnce();
    const delivery = await lastDelivery();
    assert.equal(delivery.status, 'delivered', String(delivery.last_error));
    const [request] = receiver.received;
    assert.deepEqual(JSON.parse(request!.body), { id: 7, name: 'Ada' });
    assert.equal(request!.headers['jobspace-event-id'], delivery.event_id);
    // The key the organisation's users read from the API, as their receiver would be given it.
    const shown = await test.app.inject({
      method: 'POST', url: '/api/webhook/application-secret', headers: auth(await issueToken(test.app)), payload: { organisation: 'JDT' },
    });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.headers['cache-control'], 'no-store');
    const { secret } = shown.json().data;
    assert.equal(secret, applicationSecret(await loadSigningKey(test.config.deliveries), 1));
    const [t, v1] = String(request!.headers['jobspace-signature']).split(',').map((part) => part.split('=')[1]);
    assert.equal(v1, createHmac('sha256', secret).update(`${t}.${request!.body}`).digest('hex'));
  });
});
