import { createHash, type Hash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { isUploadedFile } from '../http/multipart.ts';
import type { Caller } from '../auth/caller.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_KEY_LENGTH = 255;

const badKey = (why: string) =>
  new AppError('bad_request', `The Idempotency-Key header ${why}: send 1 to ${MAX_KEY_LENGTH} printable ASCII characters, such as a UUID.`);

/** Printable ASCII: what a header carries without encoding, and what a key may be made of. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/*
 * The key the request sent, or undefined when it sent none. The draft makes
 * the field a Structured Field string ("…"); a bare token is taken as it is,
 * as most clients (and Stripe's) send it.
 */
export function readIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const key = unquote(value.trim());
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !PRINTABLE.test(key)) throw badKey('is not a valid key');
  return key;
}

/* An sf-string: between quotes, with \" and \\ escaped. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(value);
  if (!match) throw badKey('is not a valid string');
  return (match[1] as string).replace(/\\(["\\])/g, '$1');
}

/** Whose keys these are: a client's, and for a vendor token the user it acts for, so that no user meets another's answers. */
export function principalOf(caller: Caller): string {
  return caller.kind === 'vendor' ? `client:${caller.apiClientId}:user:${caller.userId}` : `client:${caller.apiClientId}`;
}

/*
 * What a retry must repeat: the method, the path (under either prefix, as
 * both serve the same resources) and the parsed body, its fields in any
 * order, files by their bytes. Another body or path with the same key is
 * the client's mistake (422).
 */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  const hash = createHash('sha256').update(`${method} ${path.replace(/^\/admin\/api\//, '/api/')}\n`);
  feed(hash, body);
  return hash.digest('base64url');
}

function feed(hash: Hash, value: unknown): void {
  if (isUploadedFile(value)) {
    hash.update(`file(${JSON.stringify(value.filename)},${JSON.stringify(value.mimetype)},${value.data.length}:`).update(value.data).update(')');
  } else if (Array.isArray(value)) {
    hash.update('[');
    for (const item of value) {
      feed(hash, item);
      hash.update(',');
    }
    hash.update(']');
  } else if (typeof value === 'object' && value !== null) {
    hash.update('{');
    for (const name of Object.keys(value).sort()) {
      hash.update(`${JSON.stringify(name)}:`);
      feed(hash, (value as Record<string, unknown>)[name]);
      hash.update(',');
    }
    hash.update('}');
  } else {
    hash.update(value === undefined ? 'undefined' : JSON.stringify(value));
  }
}
