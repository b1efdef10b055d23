import { isIP } from 'node:net';
import type { FieldErrors } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../deliveries/outbox.ts';
import { isInternalAddress } from '../deliveries/address-guard.ts';

/*
 * A webhook's fields, checked together so that one 422 names every failing
 * one, in the contract's wording. A field sent empty counts as not sent.
 */

export const MAX_URL_LENGTH = 2000;
export const EXPIRING_DAYS = { min: 1, max: 60, default: 3 } as const;

export interface WebhookFields {
  organisation?: string;
  url?: string;
  events?: EventType[];
  expiring_days?: number;
  enabled?: boolean;
  rotate_secret?: boolean;
}

export interface ReadWebhook {
  readonly fields: WebhookFields;
  readonly errors: FieldErrors;
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
const textOf = (value: unknown) => (typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);

function readUrl(raw: unknown, allowPrivate: boolean): { value?: string; error?: string } {
  const text = textOf(raw);
  if (text === undefined) return { error: 'The url format is invalid.' };
  if ([...text].length > MAX_URL_LENGTH) return { error: `The url may not be greater than ${MAX_URL_LENGTH} characters.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'The url format is invalid.' };
  }
  if (!['https:', 'http:'].includes(url.protocol) || !url.hostname) return { error: 'The url format is invalid.' };
  if (allowPrivate) return { value: url.href };
  if (url.protocol !== 'https:') return { error: 'The url must be an https URL.' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && isInternalAddress(host)) return { error: 'The url must not point to a private or internal address.' };
  return { value: url.href };
}

function readEvents(raw: unknown, errors: FieldErrors): EventType[] | undefined {
  if (!Array.isArray(raw)) {
    errors.events = ['The events must be an array.'];
    return undefined;
  }
  const messages: string[] = [];
  raw.forEach((item, index) => {
    if (!(EVENT_TYPES as readonly unknown[]).includes(textOf(item))) messages.push(`The selected events.${index} is invalid.`);
  });
  if (messages.length > 0) {
    errors.events = messages;
    return undefined;
  }
  return [...new Set(raw.map((item) => textOf(item) as EventType))];
}

function readWholeNumber(raw: unknown): number | undefined {
  const text = textOf(raw);
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

function readBoolean(raw: unknown, attribute: string, errors: FieldErrors, field: string): boolean | undefined {
  const value = textOf(raw)?.toLowerCase();
  if (value !== undefined && TRUE.has(value)) return true;
  if (value !== undefined && FALSE.has(value)) return false;
  errors[field] = [`The ${attribute} field must be true or false.`];
  return undefined;
}

/** Reads a create's or an update's fields; `organisation` is read here and authorised by the service (on update, it moves the webhook). */
export function readWebhookFields(body: Record<string, unknown>, mode: 'create' | 'update', allowPrivate: boolean): ReadWebhook {
  const fields: WebhookFields = {};
  const errors: FieldErrors = {};
  const required = (field: string, attribute: string) => {
    if (mode === 'create' || field in body) errors[field] = [`The ${attribute} field is required.`];
  };
  const organisation = textOf(body.organisation);
  if (isEmpty(body.organisation) || organisation === undefined) required('organisation', 'organisation');
  else fields.organisation = organisation;
  if (isEmpty(body.url)) required('url', 'url');
  else {
    const url = readUrl(body.url, allowPrivate);
    if (url.error) errors.url = [url.error];
    else fields.url = url.value;
  }
  if (isEmpty(body.events)) required('events', 'events');
  else fields.events = readEvents(body.events, errors);
  if (!isEmpty(body.expiring_days)) {
    const days = readWholeNumber(body.expiring_days);
    if (days === undefined) errors.expiring_days = ['The expiring days must be an integer.'];
    else if (days < EXPIRING_DAYS.min || days > EXPIRING_DAYS.max) {
      errors.expiring_days = [`The expiring days must be between ${EXPIRING_DAYS.min} and ${EXPIRING_DAYS.max}.`];
    } else fields.expiring_days = days;
  }
  if (!isEmpty(body.enabled)) fields.enabled = readBoolean(body.enabled, 'enabled', errors, 'enabled');
  if (mode === 'update' && !isEmpty(body.rotate_secret)) fields.rotate_secret = readBoolean(body.rotate_secret, 'rotate secret', errors, 'rotate_secret');
  return { fields, errors };
}
