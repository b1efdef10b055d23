import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { bodyFields, documentedOnly } from '../http/body.ts';
import { PageQuery, pageFrom, paginate } from '../http/pagination.ts';
import { DeletedResponse, ErrorResponseSchema } from '../http/schemas.ts';
import { DeliveryListResponse, presentDelivery, presentWebhook, WebhookListResponse, WebhookResponse } from './presenter.ts';
import { actorOf } from '../audit/trail.ts';
import * as service from './service.ts';

export interface WebhookRouteOptions extends service.WebhookServices {
  readonly publicUrl: string;
}

/** Webhook ids in paths are positive integers; anything else is no route (404). */
const WEBHOOK_ID = ':id(^\\d{1,10}$)';

interface WebhookIdRoute {
  Params: { id: string };
}

const errors = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 404: ErrorResponseSchema };
const writeErrors = { ...errors, 409: ErrorResponseSchema, 422: ErrorResponseSchema };
const ApplicationSecretResponse = Type.Object({ data: Type.Object({ organisation: Type.String(), secret: Type.String() }) });
const WebhookBody = Type.Object({
  organisation: Type.Optional(Type.String({ description: 'Create only: the handle of one of your organisations' })),
  url: Type.Optional(Type.String({ description: 'https URL the events are POSTed to' })),
  events: Type.Optional(Type.Array(Type.String(), { description: 'Event types (events[] in forms)' })),
  expiring_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 3 })),
  enabled: Type.Optional(Type.Boolean()),
  rotate_secret: Type.Optional(Type.Boolean({ description: 'Update only: a new secret, shown in the answer' })),
});



export async function webhookRoutes(untyped: FastifyInstance, options: WebhookRouteOptions) {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['webhooks'];
  const webhookId = (request: { params: WebhookIdRoute['Params'] }) => Number(request.params.id);
  const contextFor = (request: FastifyRequest) => ({ zone: request.caller.timezone, publicUrl: options.publicUrl });

  app.get(
    '/webhook',
    { schema: { tags, operationId: 'listWebhooks', summary: "List your organisations' webhooks", querystring: PageQuery, response: { 200: WebhookListResponse, ...errors } } },
    async (request) => {
      const started = performance.now();
      const page = pageFrom(request.query);
      const { total, rows } = await service.listWebhooks(options, request.caller, page);
      const context = contextFor(request);
      return {
        data: rows.map((row) => presentWebhook(row, context)),
        meta: { took: Math.round(performance.now() - started), pagination: paginate(page, total, rows.length, new URL(request.url, options.publicUrl)) },
      };
    },
  );

  app.post(
    '/webhook',
    { config: { idempotent: true }, schema: { tags, operationId: 'createWebhook', summary: 'Create a webhook; the answer shows its signing secret, once', body: WebhookBody, response: { 201: WebhookResponse, ...writeErrors } }, validatorCompiler: documentedOnly },
    async (request, reply) => {
      const { webhook, secret } = await service.createWebhook(options, request.caller, bodyFields(request), actorOf(request));
      return reply.code(201).send({ data: presentWebhook(webhook, contextFor(request), secret) });
    },
  );

  app.post(
    '/webhook/application-secret',
    {
      schema: {
        tags,
        operationId: 'readApplicationSecret',
        summary: "The key your receivers check the signature of applications POSTed to your jobs' apply URLs (SIGNUP_WITHPOST) with",
        body: Type.Object({ organisation: Type.Optional(Type.String({ description: 'The handle of one of your organisations' })) }),
        response: { 200: ApplicationSecretResponse, ...writeErrors },
      },
      validatorCompiler: documentedOnly,
    },
    async (request, reply) => {
      const secret = service.applicationSigningSecret(options, request.caller, bodyFields(request));
      // A secret: never kept by a cache on the way.
      reply.header('cache-control', 'no-store');
      return { data: { organisation: String(bodyFields(request).organisation).trim(), secret } };
    },
  );

  app.get<WebhookIdRoute>(
    `/webhook/${WEBHOOK_ID}`,
    { schema: { tags, operationId: 'readWebhook', summary: 'Read one webhook', response: { 200: WebhookResponse, ...errors } } },
    async (request) => ({ data: presentWebhook(await service.getWebhook(options, request.caller, webhookId(request)), contextFor(request)) }),
  );

  app.post<WebhookIdRoute>(
    `/webhook/${WEBHOOK_ID}/update`,
    { config: { idempotent: true }, schema: { tags, operationId: 'updateWebhook', summary: 'Update the fields sent', body: WebhookBody, response: { 200: WebhookResponse, ...writeErrors } }, validatorCompiler: documentedOnly },
    async (request) => {
      const { webhook, secret } = await service.updateWebhook(options, request.caller, webhookId(request), bodyFields(request), actorOf(request));
      return { data: presentWebhook(webhook, contextFor(request), secret) };
    },
  );

  app.post<WebhookIdRoute>(
    `/webhook/${WEBHOOK_ID}/delete`,
    { config: { idempotent: true }, schema: { tags, operationId: 'deleteWebhook', summary: 'Delete a webhook; what it had still to send is cancelled', response: { 200: DeletedResponse, ...errors } } },
    async (request) => {
      await service.deleteWebhook(options, request.caller, webhookId(request), actorOf(request));
      return { data: { acknowledged: true } };
    },
  );

  app.get<WebhookIdRoute & { Querystring: PageQuery }>(
    `/webhook/${WEBHOOK_ID}/deliveries`,
    { schema: { tags, operationId: 'listWebhookDeliveries', summary: "A webhook's deliveries, newest first", querystring: PageQuery, response: { 200: DeliveryListResponse, ...errors } } },
    async (request) => {
      const started = performance.now();
      const page = pageFrom(request.query);
      const { total, rows } = await service.listDeliveries(options, request.caller, webhookId(request), page);
      return {
        data: rows.map((row) => presentDelivery(row, request.caller.timezone)),
        meta: { took: Math.round(performance.now() - started), pagination: paginate(page, total, rows.length, new URL(request.url, options.publicUrl)) },
      };
    },
  );
}
