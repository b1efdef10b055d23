import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isInternalAddress, RefusedAddress } from './address-guard.ts';

/* One POST of a delivery: no redirects followed, a deadline, and the SSRF guard on the address connected to. */

export const SEND_TIMEOUT_MS = 10_000;
/** What is kept of a receiver's answer: enough to tell an error page, never a whole body. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** WEBHOOK_ALLOW_PRIVATE: internal addresses and plain http allowed. */
  readonly allowPrivate: boolean;
  readonly timeoutMs?: number;
}

/** The receiver's status; throws on a refused address, a network error or the deadline. */
export function postJson(request: PostRequest): Promise<number> {
  const url = new URL(request.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!request.allowPrivate) {
    if (url.protocol !== 'https:') return Promise.reject(new Error('refused: only https targets are allowed (WEBHOOK_ALLOW_PRIVATE is off)'));
    // The lookup is not asked about a literal address: it is checked here.
    if (isIP(host) !== 0 && isInternalAddress(host)) return Promise.reject(new RefusedAddress(host, host));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: request.allowPrivate ? undefined : guardedLookup,
      signal: AbortSignal.timeout(request.timeoutMs ?? SEND_TIMEOUT_MS),
    });
    outgoing.on('error', (error) => reject(error.name === 'AbortError' || error.name === 'TimeoutError' ? new Error(`no answer within ${(request.timeoutMs ?? SEND_TIMEOUT_MS) / 1000} s`) : error));
    outgoing.on('response', (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) response.destroy();
      });
      response.on('close', () => resolve(response.statusCode ?? 0));
      response.on('error', () => resolve(response.statusCode ?? 0));
    });
    outgoing.end(request.body);
  });
}
