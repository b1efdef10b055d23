import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySchema, RouteOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { DateObjectSchema, ErrorResponseSchema } from './schemas.ts';
import { PaginationSchema } from './pagination.ts';
import { JobResourceSchema } from '../jobs/resource.ts';
import { ApplicationResourceSchema } from '../applications/presenter.ts';
import { DeliveryResourceSchema, WebhookResourceSchema } from '../webhooks/presenter.ts';
import { OAuthErrorResponse } from '../auth/routes.ts';
import { MAX_KEY_LENGTH } from '../idempotency/request.ts';

/*
 * The OpenAPI 3.1 document at /openapi.json. The routes' own schemas give
 * every body, query and response; this module adds what the contract says of
 * every route alike (statuses, headers, security, versioning), generated,
 * never a second copy of a route's schema: @fastify/swagger's `transform`
 * sees each route, `transformObject` the whole document.
 */

type Json = Record<string, unknown>;
type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;
type SecuritySchemes = NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes'];
type Operation = { operationId?: string; description?: string; parameters?: Json[]; responses: Record<string, Json> } & Json;

const V1_MEDIA_TYPE = 'application/vnd.jb.v1+json';
/** Every write takes these three, read into the same fields (src/http/body.ts). */
const BODY_MEDIA_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'];
const ALIAS_PREFIX = '/admin/api';

const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  303: 'See Other: the employer takes the application at the Location',
  400: 'Bad Request: a malformed body, query or header',
  401: 'Unauthenticated: no credentials, or bad, expired or revoked ones',
  402: 'Insufficient Credits: the organisation has no credit left to post',
  403: 'Forbidden: authenticated, but not allowed (another organisation, a site not granted, a board client)',
  404: 'Not Found: no such route, or no such resource the caller may see',
  405: 'Method Not Allowed: the path exists; Allow lists its methods',
  406: `Not Acceptable: the Accept header admits no v1 JSON (send ${V1_MEDIA_TYPE}, application/json or */*)`,
  409: 'Conflict: the request with this Idempotency-Key is still in flight, or was carried out and lost its answer',
  410: 'Gone: the resource was deleted',
  412: 'Precondition Failed: the If-Match ETag is not the current one',
  413: 'Content Too Large: the body, a file in it, or its number of fields is over the limit',
  415: 'Unsupported Media Type: send multipart/form-data, application/x-www-form-urlencoded or application/json',
  418: "I'm a teapot",
  422: 'Unprocessable Entity: validation failed, or an Idempotency-Key reused for another request; errors names every failing field',
  429: 'Too Many Requests: retry after the Retry-After seconds',
  500: 'Internal Server Error: the message names the request id, also in the log',
  503: 'Service Unavailable: maintenance, overload or the database unreachable; retry after the Retry-After seconds',
};

const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });

const HEADERS: Record<string, Json> = {
  'X-Request-Id': { description: "The request's id: the client's own X-Request-Id when it sent a valid one, else ours", schema: { type: 'string' } },
  'WWW-Authenticate': { description: 'The challenge: Bearer for a refused token, Basic for a refused client', schema: { type: 'string' } },
  Allow: { description: 'The methods this path answers', schema: { type: 'string' }, example: 'GET, POST' },
  'Retry-After': integerHeader('Seconds to wait before retrying'),
  'X-RateLimit-Limit': integerHeader('Requests allowed in the window'),
  'X-RateLimit-Remaining': integerHeader('Requests left in the window'),
  'X-RateLimit-Reset': integerHeader('Seconds until the window resets'),
  ETag: { description: "The resource's strong entity tag, for If-None-Match and If-Match", schema: { type: 'string' } },
  'Idempotent-Replayed': { description: 'Present (true) on the stored answer of an earlier request with the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
  Location: { description: "The employer's URL for the application", schema: { type: 'string', format: 'uri' } },
};

const PARAMETERS: Record<string, Json> = {
  IdempotencyKey: {
    name: 'Idempotency-Key', in: 'header', required: false,
    description: 'Makes a retry of this write answer as its first attempt did, for 24 hours',
    schema: { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH, pattern: '^[!-~]+$' },
  },
  IfMatch: { name: 'If-Match', in: 'header', required: false, description: 'Change the job only if its ETag is still this one (else 412)', schema: { type: 'string' } },
  IfNoneMatch: { name: 'If-None-Match', in: 'header', required: false, description: 'Answer 304 without a body if the ETag is still this one', schema: { type: 'string' } },
  RequestId: {
    name: 'X-Request-Id', in: 'header', required: false,
    description: 'Your own id for the request (1 to 128 printable ASCII characters), echoed and logged',
    schema: { type: 'string', maxLength: 128, pattern: '^[!-~]+$' },
  },
};

/*
 * The conditional headers each route honours (src/http/conditional.ts is
 * called by these routes' handlers, which no schema states).
 */
const CONDITIONAL: Record<string, { etag?: boolean; ifMatch?: boolean; ifNoneMatch?: boolean }> = {
  readJob: { etag: true, ifNoneMatch: true },
  createJob: { etag: true },
  updateJob: { etag: true, ifMatch: true },
  deleteJob: { ifMatch: true },
  readApplication: { etag: true, ifNoneMatch: true },
  updateApplication: { etag: true },
};

/** Shared schemas, put in components and referred to wherever a route's schema holds the same shape. */
const SHARED_SCHEMAS: Record<string, TSchema> = {
  Job: JobResourceSchema,
  Application: ApplicationResourceSchema,
  Webhook: WebhookResourceSchema,
  Delivery: DeliveryResourceSchema,
  ErrorEnvelope: ErrorResponseSchema,
  OAuthError: OAuthErrorResponse,
  Pagination: PaginationSchema,
  DateObject: DateObjectSchema,
};

const ERROR_EXAMPLES: Record<string, Json> = {
  401: { data: { message: 'Unauthenticated', status_code: 401 } },
  402: { data: { message: 'Insufficient Credits', status_code: 402 } },
  404: { data: { message: '404 Not Found', status_code: 404 } },
  422: { data: { message: '422 Unprocessable Entity', status_code: 422, errors: { open_date: ['The open date field is required.'] } } },
  429: { data: { message: '429 Too Many Requests: slow down and retry after the Retry-After seconds.', status_code: 429 } },
};
const TOKEN_EXAMPLES: Record<string, Json> = {
  200: { token_type: 'Bearer', expires_in: 86400, access_token: 'eyJ0eXAiOiJKV1Qi…', refresh_token: 'def50200…' },
};
const OAUTH_ERROR_EXAMPLES: Record<string, Json> = {
  400: { error: 'invalid_request', error_description: 'The request is missing the "grant_type" parameter.', message: 'The request is missing the "grant_type" parameter.' },
  401: { error: 'invalid_client', error_description: 'Client authentication failed.', message: 'Client authentication failed.' },
};

/* R1's samples (docs/contract.md, appendix A), as their bodies' examples. */
const REQUEST_EXAMPLES: Record<string, Json> = {
  issueToken: { grant_type: 'password', client_id: 'CLIENT_ID', client_secret: 'CLIENT_SECRET', username: 'USERNAME', password: 'PASSWORD' },
  createJob: {
    organisation: 'JDT', job_category_id: 1, job_type_id: 1, reference: 'JDT/1234', name: 'Job Title', description: 'The jobs description',
    benefits: 'Benefits', skills: 'Skills', open_date: '2017-12-01', close_date: '2018-02-01', country_id: 229, premise: '1 Example Road',
    sub_premise: 'Example Area', main_area: 'Sheffield', sub_area: 'South Yorkshire', postcode: 'S1 4BY', location_display: 'Sheffield, South Yorkshire',
    salary_frequency: 'HOURLY', salary_currency: 'GBP', salary_from: 10, salary_to: 10, salary_text: 'Competitive', apply_type: 'SIGNUP', sites: [1, 2],
  },
};

const DESCRIPTION = `The Job Space API, version 1 (the contract: docs/contract.md).

**Versioning by Accept.** Send \`Accept: ${V1_MEDIA_TYPE}\`; a missing Accept, \`*/*\`, \`application/*\` and
\`application/json\` are served as v1. Another version (\`application/vnd.jb.v2+json\`) or an Accept that admits
no JSON is 406. Responses are \`application/json; charset=utf-8\`.

**Bodies.** Every write takes multipart/form-data (as every sample of the reference sends), 
application/x-www-form-urlencoded and application/json, read into the same fields: arrays as repeated
\`sites[]\` keys in forms, numbers and booleans as text.

**Envelope.** Success is \`{"data": …}\` (lists add \`meta\`); every error is \`{"data": {"message", "status_code"}}\`,
with \`errors\` on 422; the token endpoints answer RFC 6749 errors.

**Paths.** Every \`/api\` path answers identically under \`/admin/api\` (R2's write paths): those operations are
marked \`x-alias-of\`.`;

function securitySchemes(publicUrl: string): SecuritySchemes {
  const tokenUrl = new URL('/oauth/token', publicUrl).href;
  return {
    oauth2: {
      type: 'oauth2',
      description: 'Tokens from POST /oauth/token; a refresh token is single-use and returns a new pair',
      flows: {
        password: { tokenUrl, refreshUrl: tokenUrl, scopes: {} },
        clientCredentials: { tokenUrl, refreshUrl: tokenUrl, scopes: {} },
      },
    },
    bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <access_token>' },
    basic: { type: 'http', scheme: 'basic', description: "R2, for clients allowed it: the user's username:password, with Client-Id and Client-Secret" },
    clientId: { type: 'apiKey', in: 'header', name: 'Client-Id', description: 'R2 Basic access: the API client id' },
    clientSecret: { type: 'apiKey', in: 'header', name: 'Client-Secret', description: 'R2 Basic access: the API client secret' },
  };
}

const API_SECURITY: Record<string, string[]>[] = [{ oauth2: [] }, { bearer: [] }, { basic: [], clientId: [], clientSecret: [] }];

/* What transform learnt of each operation, for transformObject: keyed by method and documented path. */
interface RouteNotes {
  readonly idempotent: boolean;
  /** Counted by the request limit (src/http/rate-limit.ts): every route but the health checks and the token endpoint. */
  readonly rateLimited: boolean;
}

const documentedPath = (url: string) => url.replace(/:(\w+)(\([^/]*\))?/g, '{$1}');
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** The operation an alias stands for: adminCreateJob is createJob. */
const baseOperationId = (operationId: string) => operationId.replace(/^admin(.)/, (_, first: string) => first.toLowerCase());

/* `:id(^\d{1,10}$)` is an integer of 1 to 10 digits: the route's pattern is the parameter's type. */
function pathParameters(url: string): Json | undefined {
  const properties: Record<string, Json> = {};
  for (const [, name, digits] of url.matchAll(/:(\w+)\(\^\\d\{1,(\d+)\}\$\)/g)) {
    properties[name as string] = {
      type: 'integer', format: 'int64', minimum: 1, maximum: 10 ** Number(digits) - 1,
      description: `1 to ${digits} digits (the path's pattern ^\\d{1,${digits}}$); anything else is no route (404)`,
    };
  }
  return Object.keys(properties).length > 0 ? { type: 'object', properties, required: Object.keys(properties) } : undefined;
}

/** The statuses every route of its kind may answer besides its own, in the envelope it answers them in. */
function addedStatuses(url: string, takesBody: boolean, idempotent: boolean): string[] {
  if (url.startsWith('/health/')) return ['405'];
  const statuses = ['405', '429', '500', '503'];
  if (url.startsWith('/api/') || url.startsWith(`${ALIAS_PREFIX}/`) || url.startsWith('/oauth/')) statuses.push('406');
  if (url.startsWith('/api/') || url.startsWith(`${ALIAS_PREFIX}/`)) statuses.push('401');
  // Every POST reads a body if one comes, even a route that needs none (a delete): a bad one is refused alike.
  if (takesBody) statuses.push('400', '413', '415');
  // An Idempotency-Key still in flight or whose answer was lost (409), reused for another request (422).
  if (idempotent) statuses.push('409', '422');
  return statuses;
}

function transformRoute(notes: Map<string, RouteNotes>) {
  return ({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }) => {
    if (!schema || schema.hide) return { schema, url };
    const path = documentedPath(url);
    const alias = path.startsWith(`${ALIAS_PREFIX}/`);
    const rateLimited = !path.startsWith('/health/') && path !== '/oauth/token';
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) notes.set(`${method.toLowerCase()} ${path}`, { idempotent: route.config?.idempotent === true, rateLimited });

    const response = { ...(schema.response as Record<string, unknown> | undefined) };
    const takesBody = schema.body !== undefined || methods.includes('POST');
    for (const status of addedStatuses(path, takesBody, route.config?.idempotent === true)) response[status] ??= ErrorResponseSchema;

    const documented: Json = { ...schema, response };
    if (schema.body !== undefined) documented.consumes = BODY_MEDIA_TYPES;
    const params = schema.params ?? pathParameters(url);
    if (params) documented.params = params;
    if (alias) {
      const original = path.slice('/admin'.length);
      documented.operationId = `admin${capitalise(schema.operationId ?? '')}`;
      documented['x-alias-of'] = original;
      documented.description = `Alias of ${original}: answers identically (R2 puts its write paths under ${ALIAS_PREFIX}).`;
    }
    return { schema: documented as FastifySchema, url: path };
  };
}

/*
 * A schema as @fastify/swagger writes it: plain JSON (no TypeBox symbols),
 * `patternProperties` as `additionalProperties`, keys sorted, so that two
 * equal shapes have equal texts whatever order the conversion left them in.
 */
function normalised(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalised);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).map(([key, value]): [string, unknown] =>
    key === 'patternProperties' ? ['additionalProperties', normalised(Object.values(value as Json)[0])] : [key, normalised(value)],
  );
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
const shapeOf = (schema: unknown) => JSON.stringify(normalised(schema));

/* Every subschema of the document equal to a shared one becomes a reference to it. */
function referShared(node: unknown, shared: Map<string, string>, isRoot = true): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map((item) => referShared(item, shared, false));
  const name = isRoot ? undefined : shared.get(shapeOf(node));
  if (name) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, referShared(value, shared, false)]));
}

function responseHeaders(status: string, operationId: string, notes: RouteNotes | undefined): Record<string, Json> {
  const names = ['X-Request-Id'];
  const success = status.startsWith('2');
  if (notes?.rateLimited && status !== '429') names.push('X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset');
  if (status === '401') names.push('WWW-Authenticate');
  if (status === '405') names.push('Allow');
  if (status === '429') names.push('Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset');
  if (status === '503') names.push('Retry-After');
  if (status === '303') names.push('Location');
  if ((success && CONDITIONAL[baseOperationId(operationId)]?.etag) || status === '304') names.push('ETag');
  if (success && notes?.idempotent) names.push('Idempotent-Replayed');
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

function describeOperation(operation: Operation, notes: RouteNotes | undefined) {
  const operationId = operation.operationId ?? '';
  const baseId = baseOperationId(operationId);
  const conditional = CONDITIONAL[baseId] ?? {};
  const parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/RequestId' }];
  if (notes?.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (conditional.ifMatch) parameters.push({ $ref: '#/components/parameters/IfMatch' });
  if (conditional.ifNoneMatch) {
    parameters.push({ $ref: '#/components/parameters/IfNoneMatch' });
    operation.responses['304'] = { description: 'Not Modified: the If-None-Match ETag is current' };
  }
  operation.parameters = parameters;
  for (const [status, response] of Object.entries(operation.responses)) {
    const standard = STATUS_DESCRIPTIONS[status];
    const own = response.description === 'Default Response' ? undefined : response.description;
    response.description = standard && own ? `${standard}. ${own}` : (standard ?? own ?? status);
    response.headers = { ...(response.headers as Json | undefined), ...responseHeaders(status, operationId, notes) };
  }
}

/*
 * A body schema is the same for its three media types and for the alias: it
 * is put once in components, named after its operation (CreateJobRequest).
 */
function hoistRequestBodies(paths: Record<string, Record<string, Operation>>): Json {
  const bodies: Json = {};
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const content = (operation.requestBody as { content?: Record<string, Json> } | undefined)?.content;
      if (!content || !operation.operationId) continue;
      const baseId = baseOperationId(operation.operationId);
      const name = `${capitalise(baseId)}Request`;
      for (const media of Object.values(content)) {
        bodies[name] ??= media.schema;
        media.schema = { $ref: `#/components/schemas/${name}` };
        if (REQUEST_EXAMPLES[baseId]) media.example = REQUEST_EXAMPLES[baseId];
      }
    }
  }
  return bodies;
}

/*
 * An error response is the same on most operations: it is put once in
 * components (ErrorEnvelope404; NoRateLimit when no rate limit headers come with
 * it). One that differs from the one already put there stays where it is.
 */
function hoistErrorResponses(paths: Record<string, Record<string, Operation>>): Json {
  const responses: Record<string, Json> = {};
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = (response.content as Record<string, Json> | undefined)?.['application/json']?.schema as Json | undefined;
        const shared = typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
        if (shared !== 'ErrorEnvelope' && shared !== 'OAuthError') continue;
        const limited = (response.headers as Json | undefined)?.['X-RateLimit-Limit'] !== undefined;
        const name = `${shared}${status}${limited || shared === 'OAuthError' ? '' : 'NoRateLimit'}`;
        responses[name] ??= response;
        if (shapeOf(responses[name]) === shapeOf(response)) operation.responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  return responses;
}

/* The contract's examples, on the responses whose schema is the error envelope, the OAuth error or the token. */
function addExamples(paths: Record<string, Record<string, Operation>>) {
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const json = (response.content as Record<string, Json> | undefined)?.['application/json'];
        const schema = json?.schema as Json | undefined;
        const examples = schema?.$ref === '#/components/schemas/OAuthError' ? OAUTH_ERROR_EXAMPLES
          : schema?.$ref === '#/components/schemas/ErrorEnvelope' ? ERROR_EXAMPLES
            : operation.operationId === 'issueToken' ? TOKEN_EXAMPLES : {};
        if (json && examples[status]) json.example = examples[status];
      }
    }
  }
}

function completeDocument(notes: Map<string, RouteNotes>): TransformObject {
  return (document) => {
    const openapiObject = (document as { openapiObject: Json }).openapiObject;
    const shared = new Map(Object.entries(SHARED_SCHEMAS).map(([name, schema]) => [shapeOf(schema), name]));
    const paths = openapiObject.paths as Record<string, Record<string, Operation>>;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) describeOperation(operation, notes.get(`${method} ${path}`));
    }
    const components = openapiObject.components as Json;
    const schemas = Object.fromEntries(Object.entries(SHARED_SCHEMAS).map(([name, schema]) => [name, referShared(normalised(schema), shared)]));
    const referred = referShared(paths, shared) as typeof paths;
    const bodies = hoistRequestBodies(referred);
    addExamples(referred);
    const responses = hoistErrorResponses(referred);
    return {
      ...openapiObject,
      paths: referred,
      components: { ...components, schemas: { ...(components.schemas as Json), ...schemas, ...bodies }, responses, headers: HEADERS, parameters: PARAMETERS },
    } as ReturnType<TransformObject>;
  };
}

/** @fastify/swagger's options: the document's frame, and the hooks that complete each route's part. */
export function openapiOptions(publicUrl: string): FastifyDynamicSwaggerOptions {
  const notes = new Map<string, RouteNotes>();
  return {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'The Job Space API', version: '1.0.0', description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
      servers: [{ url: publicUrl, description: 'This server (PUBLIC_URL)' }],
      tags: [
        { name: 'auth', description: 'OAuth 2 tokens (RFC 6749) and their revocation (RFC 7009)' },
        { name: 'jobs', description: 'Jobs: search, read, create, update, delete, stats' },
        { name: 'applications', description: "Applications for jobs, and their CVs" },
        { name: 'look-ups', description: 'Countries, job types, categories and the other options' },
        { name: 'webhooks', description: 'Webhooks and their deliveries' },
        { name: 'media', description: 'Stored job logos' },
        { name: 'health', description: 'Liveness and readiness, for load balancers' },
      ],
      components: { securitySchemes: securitySchemes(publicUrl) },
      security: API_SECURITY,
    },
    // OpenAPI 3.1 is JSON Schema 2020-12, which has const.
    convertConstToEnum: false,
    transform: transformRoute(notes),
    transformObject: completeDocument(notes),
  };
}
