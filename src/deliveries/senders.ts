import { createTransport, type Transporter } from 'nodemailer';
import type { ClaimedDelivery } from '../db/dialects/delivery-claims.ts';
import type { Db } from '../db/types.ts';
import { applicationSecret, signatureHeader, webhookSecret } from '../webhooks/signing.ts';
import { postJson } from './http-post.ts';
import type { ApplicationEmailPayload } from './outbox.ts';

/*
 * How each kind of delivery is sent. A sender resolves with the receiver's
 * status on success, and throws a SendFailure (with the status, if one
 * came) otherwise; `final` means retrying cannot help.
 */

export class SendFailure extends Error {
  constructor(message: string, readonly status: number | null = null, readonly final = false) {
    super(message);
  }
}

/** Opens a stored attachment (an applicant's CV) by its storage key: its bytes, or undefined when it is gone. */
export type OpenAttachment = (storageKey: string) => Promise<Buffer | undefined>;

export interface SenderOptions {
  readonly db: Db;
  readonly signingKey: Buffer;
  readonly allowPrivateTargets: boolean;
  /** Where e-mail goes (nodemailer's URL); null: e-mail deliveries fail until it is set. */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly openAttachment: OpenAttachment;
  readonly timeoutMs?: number;
  /** This worker's SMTP connections, by URL. */
  readonly transports: Map<string, Transporter>;
}

export const USER_AGENT = 'JobSpace-Webhooks/1';

async function postSigned(options: SenderOptions, url: string, body: string, eventId: string, secret: string, now: number): Promise<number> {
  let status: number;
  try {
    status = await postJson({
      url,
      body,
      allowPrivate: options.allowPrivateTargets,
      timeoutMs: options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'jobspace-event-id': eventId,
        'jobspace-signature': signatureHeader(secret, body, Math.floor(now / 1000)),
      },
    });
  } catch (error) {
    throw new SendFailure((error as Error).message);
  }
  if (status < 200 || status > 299) throw new SendFailure(`the receiver answered ${status}`, status);
  return status;
}

async function sendWebhook(options: SenderOptions, delivery: ClaimedDelivery, now: number): Promise<number> {
  const webhook = await options.db.selectFrom('webhooks').select(['url', 'secret_salt', 'enabled']).where('id', '=', delivery.webhook_id ?? 0).executeTakeFirst();
  if (!webhook) throw new SendFailure('the webhook was deleted', null, true);
  if (webhook.enabled !== 1) throw new SendFailure('the webhook is disabled', null, true);
  // The webhook's URL now, so that a corrected URL serves the retries too.
  return postSigned(options, webhook.url, delivery.payload, delivery.event_id ?? '', webhookSecret(options.signingKey, webhook.secret_salt), now);
}

function sendApplicationPost(options: SenderOptions, delivery: ClaimedDelivery, now: number): Promise<number> {
  const secret = applicationSecret(options.signingKey, delivery.organisation_id);
  return postSigned(options, delivery.target, delivery.payload, delivery.event_id ?? '', secret, now);
}

function transportFor(transports: Map<string, Transporter>, smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

async function sendApplicationEmail(options: SenderOptions, delivery: ClaimedDelivery): Promise<number> {
  if (!options.smtpUrl) throw new SendFailure('SMTP_URL is not set: the server sends no e-mail');
  const payload = JSON.parse(delivery.payload) as ApplicationEmailPayload;
  const attachments = [];
  if (payload.attachment) {
    const content = await options.openAttachment(payload.attachment.storageKey);
    if (!content) throw new SendFailure(`the attachment ${payload.attachment.filename} is no longer stored`, null, true);
    attachments.push({ filename: payload.attachment.filename, contentType: payload.attachment.contentType, content });
  }
  try {
    await transportFor(options.transports, options.smtpUrl).sendMail({
      from: options.mailFrom,
      to: delivery.target,
      replyTo: payload.replyTo,
      subject: payload.subject,
      text: payload.text,
      attachments,
      headers: { 'JobSpace-Event-Id': delivery.event_id ?? '' },
    });
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    // A 5xx reply refuses the message for good; anything else may pass later.
    throw new SendFailure(`the mail server refused: ${(error as Error).message}`, code ?? null, code !== undefined && code >= 500);
  }
  return 250;
}

export function sendDelivery(options: SenderOptions, delivery: ClaimedDelivery, now: number): Promise<number> {
  switch (delivery.kind) {
    case 'webhook':
      return sendWebhook(options, delivery, now);
    case 'application_post':
      return sendApplicationPost(options, delivery, now);
    case 'application_email':
      return sendApplicationEmail(options, delivery);
  }
}
