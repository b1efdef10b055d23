import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, reasonMessage, sendError } from './errors.ts';
import type { RouteIndex } from './routes-index.ts';

/*
 * Errors raised beneath our routes: by Node's HTTP parser (before there is
 * a request at all), by Fastify's router (URL decoding, parameter length)
 * and by Node's Expect handling. Each is answered in the contract's
 * envelope with a request id and leaves one log line, like every other
 * error.
 */

interface ClientErrorAnswer {
  status: number;
  message: string;
  allow?: string[];
}

/** Node's parser error codes that have a status of their own; every other one is 400. */
const PARSER_ERROR_STATUS: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: '431 Request Header Fields Too Large: the headers may take at most 16 KiB.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: '408 Request Timeout: the request did not arrive in time.' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, message: '408 Request Timeout: the headers did not arrive in time.' },
};

const REQUEST_LINE = /^[!-~]+ (\/[!-~]*) HTTP\/1\.[01]\r?\n/;

/** The answer to a request Node's parser refused; a method it does not know is 405 on a path we serve. */
function answerFor(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, routes: RouteIndex | undefined): ClientErrorAnswer {
  const known = error.code ? PARSER_ERROR_STATUS[error.code] : undefined;
  if (known) return known;
  if (error.code === 'HPE_INVALID_METHOD') {
    const path = REQUEST_LINE.exec(error.rawPacket?.toString('latin1') ?? '')?.[1]?.split('?')[0];
    const allow = path && routes ? routes.allowedMethods(path) : [];
    if (allow.length > 0) return { status: 405, message: reasonMessage(405), allow };
    return { status: 404, message: reasonMessage(404) };
  }
  return { status: 400, message: '400 Bad Request: the request is not well-formed HTTP/1.1.' };
}

function rawResponse(answer: ClientErrorAnswer, requestId: string): string {
  const body = JSON.stringify(errorBody(answer.status, answer.message));
  const headers = [
    `HTTP/1.1 ${answer.status} ${reasonMessage(answer.status).slice(4)}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    ...(answer.allow ? [`allow: ${answer.allow.join(', ')}`] : []),
    'connection: close',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Fastify's clientErrorHandler: Node's parser refused the bytes (bad
 * framing, control characters, an unknown method, headers too large, too
 * slow). The routes are looked up lazily: they are registered after the
 * server is made.
 */
export function answerClientErrors(routes: () => RouteIndex | undefined) {
  return function onClientError(this: { log: FastifyBaseLogger }, error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = answerFor(error, routes());
    const requestId = randomUUID();
    this.log.info({ reqId: requestId, code: error.code, statusCode: answer.status }, 'request refused by the HTTP parser');
    // A response already under way on this socket cannot be followed by another.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) socket.write(rawResponse(answer, requestId));
    socket.destroy(error);
  };
}

/** Fastify's frameworkErrors: a URL that does not decode is 400; a path segment too long to be an id is no route. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 404);
  if (error.code === 'FST_ERR_BAD_URL') return sendError(reply, 400, '400 Bad Request: the URL is not validly percent-encoded.');
  request.log.error({ err: error }, 'unhandled framework error');
  return sendError(reply, 500, `500 Internal Server Error (request id ${request.id})`);
}

/** Node answers an Expect other than 100-continue with a bare 417; ours is in the envelope. */
export function answerUnknownExpectations(server: Server, log: FastifyBaseLogger): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    log.info({ reqId: requestId, expect: String(request.headers.expect).slice(0, 100), statusCode: 417 }, 'unknown expectation');
    const body = JSON.stringify(errorBody(417, '417 Expectation Failed: only Expect: 100-continue is understood.'));
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
    });
    response.end(body);
  });
}
