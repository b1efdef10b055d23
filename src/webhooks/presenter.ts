import { Type } from '@sinclair/typebox';
import { presentDate, presentOptionalDate } from '../http/dates.ts';
import { PaginationSchema } from '../http/pagination.ts';
import { DateObjectSchema } from '../http/schemas.ts';
import type { DeliveryListRow, StoredWebhook } from './repository.ts';

/* The webhook and delivery resources; a response never echoes a row (the salt stays in the store). */

const OptionalDate = Type.Union([DateObjectSchema, Type.Null()]);

export const WebhookResourceSchema = Type.Object({
  id: Type.Integer(),
  organisation: Type.Object({ data: Type.Object({ id: Type.Integer(), handle: Type.String(), name: Type.String() }) }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  expiring_days: Type.Integer(),
  enabled: Type.Boolean(),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  disabled_at: OptionalDate,
  created_at: DateObjectSchema,
  updated_at: DateObjectSchema,
  links: Type.Object({ self: Type.String(), deliveries: Type.String() }),
  /** Only in the answer that creates it (or rotates it). */
  secret: Type.Optional(Type.String()),
});

export const WebhookResponse = Type.Object({ data: WebhookResourceSchema });
const ListMeta = Type.Object({ took: Type.Number(), pagination: PaginationSchema });
export const WebhookListResponse = Type.Object({ data: Type.Array(WebhookResourceSchema), meta: ListMeta });

export const DeliveryResourceSchema = Type.Object({
  id: Type.Integer(),
  event: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), type: Type.Union([Type.String(), Type.Null()]) }),
  status: Type.String(),
  attempts: Type.Integer(),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_attempt_at: DateObjectSchema,
  created_at: DateObjectSchema,
  delivered_at: OptionalDate,
});
export const DeliveryListResponse = Type.Object({ data: Type.Array(DeliveryResourceSchema), meta: ListMeta });

export interface PresentContext {
  readonly zone: string;
  readonly publicUrl: string;
}

export function presentWebhook(webhook: StoredWebhook, context: PresentContext, secret?: string) {
  const self = `${context.publicUrl}/api/webhook/${webhook.id}`;
  return {
    id: webhook.id,
    organisation: { data: { id: webhook.organisation_id, handle: webhook.organisation_handle, name: webhook.organisation_name } },
    url: webhook.url,
    events: JSON.parse(webhook.events) as string[],
    expiring_days: webhook.expiring_days,
    enabled: webhook.enabled === 1,
    disabled_reason: webhook.disabled_reason,
    disabled_at: presentOptionalDate(webhook.disabled_at, context.zone),
    created_at: presentDate(webhook.created_at, context.zone),
    updated_at: presentDate(webhook.updated_at, context.zone),
    links: { self, deliveries: `${self}/deliveries` },
    ...(secret !== undefined ? { secret } : {}),
  };
}

export function presentDelivery(delivery: DeliveryListRow, zone: string) {
  return {
    id: delivery.id,
    event: { id: delivery.event_id, type: delivery.event_type },
    status: delivery.status,
    attempts: delivery.attempts,
    last_status: delivery.last_status,
    last_error: delivery.last_error,
    next_attempt_at: presentDate(delivery.next_attempt_at, zone),
    created_at: presentDate(delivery.created_at, zone),
    delivered_at: presentOptionalDate(delivery.delivered_at, zone),
  };
}
