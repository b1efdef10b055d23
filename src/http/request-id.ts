import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/*
 * A request's id: the client's X-Request-Id when it is a plausible id, so a
 * vendor can find its own request in our logs (and the audit trail), else a
 * fresh UUID. A client's id is bounded and kept to visible ASCII: it goes
 * into every log line, the audit trail and a response header.
 */

const CLIENT_REQUEST_ID = /^[!-~]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
}
