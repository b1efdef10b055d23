import { requireVendor, type Caller } from '../auth/caller.ts';
import { nowIso } from '../clock.ts';
import type { Db } from '../db/types.ts';
import { AppError, validationFailed } from '../errors.ts';
import type { Page } from '../http/pagination.ts';
import { authoriseOrganisation, managedOrganisationIds } from '../tenancy/visibility.ts';
import * as webhooks from './repository.ts';
import { applicationSecret, newSecretSalt, webhookSecret } from './signing.ts';
import { EXPIRING_DAYS, readWebhookFields } from './validation.ts';
import { insertAuditEntries } from '../audit/repository.ts';
import { requestEntry, type Actor } from '../audit/trail.ts';

export interface WebhookServices {
  readonly db: Db;
  /** The server key secrets are derived from (src/webhooks/signing.ts). */
  readonly signingKey: Buffer;
  /** WEBHOOK_ALLOW_PRIVATE: http and internal addresses accepted. */
  readonly allowPrivateTargets: boolean;
}

/** A webhook as stored, with its secret when this answer is the one that shows it. */
export interface WebhookWithSecret {
  readonly webhook: webhooks.StoredWebhook;
  readonly secret?: string;
}

async function requireWebhook(services: WebhookServices, organisationIds: readonly number[], id: number) {
  const webhook = await webhooks.findWebhook(services.db, id, organisationIds);
  if (!webhook) throw new AppError('not_found');
  return webhook;
}

export async function listWebhooks(services: WebhookServices, caller: Caller, page: Page) {
  const organisationIds = managedOrganisationIds(caller);
  const [total, rows] = await Promise.all([
    webhooks.countWebhooks(services.db, organisationIds),
    webhooks.listWebhooks(services.db, organisationIds, page.offset, page.size),
  ]);
  return { total, rows };
}

export function getWebhook(services: WebhookServices, caller: Caller, id: number) {
  return requireWebhook(services, managedOrganisationIds(caller), id);
}

/* 403 is decided before 422, as for jobs: a webhook for a forbidden organisation is refused whatever else is wrong. */
export async function createWebhook(services: WebhookServices, anyCaller: Caller, body: Record<string, unknown>, actor: Actor): Promise<WebhookWithSecret> {
  const caller = requireVendor(anyCaller);
  const read = readWebhookFields(body, 'create', services.allowPrivateTargets);
  const organisationId = read.fields.organisation === undefined ? undefined : authoriseOrganisation(caller, read.fields.organisation);
  if (Object.keys(read.errors).length > 0 || organisationId === undefined) throw validationFailed(read.errors);
  const { url, events } = read.fields as { url: string; events: string[] };
  const salt = newSecretSalt();
  const now = nowIso();
  const id = await services.db.transaction().execute(async (tx) => {
    const inserted = await webhooks.insertWebhook(tx, {
      organisation_id: organisationId,
      url,
      events: JSON.stringify(events),
      expiring_days: read.fields.expiring_days ?? EXPIRING_DAYS.default,
      secret_salt: salt,
      enabled: read.fields.enabled === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    });
    await insertAuditEntries(tx, [requestEntry(actor, organisationId, 'webhook.create', { type: 'webhook', id: inserted })]);
    return inserted;
  });
  const webhook = await requireWebhook(services, [organisationId], id);
  return { webhook, secret: webhookSecret(services.signingKey, salt) };
}

/**
 * The key an organisation's receivers check application POSTs (SIGNUP_WITHPOST)
 * with. Derived, never stored, so it can be shown again to the organisation's
 * own users; 403 for an organisation the user is not in, as for a webhook.
 */
export function applicationSigningSecret(services: WebhookServices, anyCaller: Caller, body: Record<string, unknown>): string {
  const caller = requireVendor(anyCaller);
  const handle = body.organisation;
  if (typeof handle !== 'string' || handle.trim() === '') throw validationFailed({ organisation: ['The organisation field is required.'] });
  return applicationSecret(services.signingKey, authoriseOrganisation(caller, handle.trim()));
}

/** Fields sent are applied, fields absent kept (`organisation` moves it to another of the user's); `enabled=true` re-enables a disabled webhook, `rotate_secret=true` answers a new secret. */
export async function updateWebhook(services: WebhookServices, caller: Caller, id: number, body: Record<string, unknown>, actor: Actor): Promise<WebhookWithSecret> {
  const vendor = requireVendor(caller);
  const organisationIds = managedOrganisationIds(vendor);
  const existing = await requireWebhook(services, organisationIds, id);
  const read = readWebhookFields(body, 'update', services.allowPrivateTargets);
  const organisationId = read.fields.organisation === undefined ? undefined : authoriseOrganisation(vendor, read.fields.organisation);
  if (Object.keys(read.errors).length > 0) throw validationFailed(read.errors);
  const { url, events, expiring_days, enabled, rotate_secret } = read.fields;
  const salt = rotate_secret ? newSecretSalt() : undefined;
  const changes = {
    ...(organisationId !== undefined ? { organisation_id: organisationId } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(events !== undefined ? { events: JSON.stringify(events) } : {}),
    ...(expiring_days !== undefined ? { expiring_days } : {}),
    ...(enabled === true ? { enabled: 1, disabled_reason: null, disabled_at: null, failing_since: null } : {}),
    ...(enabled === false ? { enabled: 0, disabled_reason: 'Disabled by its organisation.', disabled_at: nowIso() } : {}),
    ...(salt !== undefined ? { secret_salt: salt } : {}),
    updated_at: nowIso(),
  };
  await services.db.transaction().execute(async (tx) => {
    await webhooks.updateWebhook(tx, existing.id, changes);
    const entry = requestEntry(actor, organisationId ?? existing.organisation_id, 'webhook.update', { type: 'webhook', id: existing.id });
    await insertAuditEntries(tx, [entry]);
  });
  const webhook = await requireWebhook(services, organisationIds, id);
  return salt === undefined ? { webhook } : { webhook, secret: webhookSecret(services.signingKey, salt) };
}

export async function deleteWebhook(services: WebhookServices, caller: Caller, id: number, actor: Actor): Promise<void> {
  const organisationIds = managedOrganisationIds(requireVendor(caller));
  const deleted = await services.db.transaction().execute(async (tx) => {
    const organisationId = await webhooks.deleteWebhook(tx, id, organisationIds);
    if (organisationId !== null) await insertAuditEntries(tx, [requestEntry(actor, organisationId, 'webhook.delete', { type: 'webhook', id })]);
    return organisationId !== null;
  });
  if (!deleted) throw new AppError('not_found');
}

export async function listDeliveries(services: WebhookServices, caller: Caller, id: number, page: Page) {
  const webhook = await requireWebhook(services, managedOrganisationIds(caller), id);
  const [total, rows] = await Promise.all([
    webhooks.countDeliveries(services.db, webhook.id),
    webhooks.listDeliveries(services.db, webhook.id, page.offset, page.size),
  ]);
  return { total, rows };
}
