import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type FieldErrors } from '../errors.ts';
import { OAuthError } from '../auth/oauth-error.ts';
import type { RouteIndex } from './routes-index.ts';
import { isStoreUnavailable } from '../db/errors.ts';

/** The one place a domain error code becomes an HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  insufficient_credits: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  teapot: 418,
  validation_failed: 422,
  idempotency_key_reused: 422,
  too_many_requests: 429,
  internal: 500,
  service_unavailable: 503,
};

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Unauthenticated',
  insufficient_credits: 'Insufficient Credits',
};

export interface ErrorBody {
  data: { message: string; status_code: number; errors?: FieldErrors; request_id?: string };
}

export function reasonMessage(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Error'}`;
}

export function errorBody(status: number, message?: string, errors?: FieldErrors): ErrorBody {
  const data: ErrorBody['data'] = { message: message ?? reasonMessage(status), status_code: status };
  if (errors) data.errors = errors;
  return { data };
}

/** Fastify's own errors that mean "your request was malformed", by code. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
};

const CLIENT_ERROR_MESSAGES: Record<number, string> = {
  400: 'The request body could not be parsed.',
  413: 'The request body is too large.',
  415: 'Send multipart/form-data, application/x-www-form-urlencoded or application/json.',
};

/*
 * Serialised here, not by the route's response schema: an error answer can
 * then never fail to serialise, whatever route it leaves by.
 */
export function sendError(reply: FastifyReply, status: number, message?: string, errors?: FieldErrors) {
  return reply
    .code(status)
    .header('x-request-id', reply.request.id)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(status, message, errors)));
}

function renderAppError(error: AppError, reply: FastifyReply) {
  const status = STATUS_BY_CODE[error.code];
  const message = error.hasCustomMessage ? error.message : (DEFAULT_MESSAGES[error.code] ?? reasonMessage(status));
  return sendError(reply, status, message, error.fieldErrors);
}

function renderOAuthError(error: OAuthError, reply: FastifyReply) {
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="oauth"');
  return reply
    .code(error.status)
    .header('x-request-id', reply.request.id)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: error.error, error_description: error.description, message: error.description }));
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return reasonMessage(400);
  const field = first.instancePath.replace(/^\//, '') || String(first.params?.missingProperty ?? '');
  return `The ${error.validationContext ?? 'request'} parameter ${field} ${first.message ?? 'is invalid'}.`;
}

/** A malformed request's status and message, or undefined when the error is not the client's. */
function clientFault(error: FastifyError): { status: number; message: string } | undefined {
  if (error.validation) return { status: 400, message: describeValidation(error) };
  const status = (error.code && CLIENT_ERROR_STATUS[error.code]) || clientStatus(error);
  if (!status) return undefined;
  return { status, message: CLIENT_ERROR_MESSAGES[status] ?? reasonMessage(status) };
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) return renderAppError(error, reply);
  if (error instanceof OAuthError) return renderOAuthError(error, reply);
  const fault = clientFault(error);
  if (fault) return sendError(reply, fault.status, fault.message);
  if (isStoreUnavailable(error)) {
    request.log.warn({ err: error }, 'store unavailable');
    reply.header('retry-after', '5');
    return sendError(reply, 503, '503 Service Unavailable: the database cannot be reached or did not answer in time; try again shortly.');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, `500 Internal Server Error (request id ${request.id})`);
}

/*
 * The token endpoint answers in RFC 6749's shape: a body it cannot read
 * (bad JSON or multipart, too large, another type) is 400 invalid_request.
 * Errors that are not about the request (406, 429, 503, 500) keep the
 * envelope of every other route.
 */
const UNREADABLE_CODES = new Set<ErrorCode>(['bad_request', 'payload_too_large', 'unsupported_media_type']);
const UNREADABLE_STATUSES = new Set([...UNREADABLE_CODES].map((code) => STATUS_BY_CODE[code]));

export function handleTokenError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const fault = error instanceof AppError || error instanceof OAuthError ? undefined : clientFault(error);
  const unreadable = error instanceof AppError
    ? UNREADABLE_CODES.has(error.code)
    : fault !== undefined && UNREADABLE_STATUSES.has(fault.status);
  if (!unreadable) return handleError(error, request, reply);
  const description = fault?.message ?? (error instanceof AppError && error.hasCustomMessage ? error.message : 'The request body could not be read.');
  return renderOAuthError(new OAuthError('invalid_request', description), reply);
}

/** A 4xx status set by a library on an error we did not list; 5xx stays ours. */
function clientStatus(error: FastifyError): number | undefined {
  const status = error.statusCode;
  return status && status >= 400 && status < 500 ? status : undefined;
}

function notFoundHandler(routes: RouteIndex) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allow = routes.allowedMethods(path);
    if (allow.length === 0) return sendError(reply, 404);
    reply.header('allow', allow.join(', '));
    return sendError(reply, 405);
  };
}

export function installErrorHandling(app: FastifyInstance, routes: RouteIndex): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(notFoundHandler(routes));
}
