import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/*
 * Conditional requests (RFC 9110 §13). A resource's ETag is strong: a hash
 * of its representation as this caller reads it, so it changes with
 * anything the caller would see change (a field, a status that moved with
 * the date, a renamed organisation) and differs between time zones, whose
 * dates read differently. Only the contract's v1 exists, so the Accept
 * version does not enter it yet; a second version must.
 */
export function strongEtag(representation: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 27)}"`;
}

interface EntityTags {
  readonly any: boolean;
  readonly tags: readonly { readonly weak: boolean; readonly opaque: string }[];
}

const ENTITY_TAG = /\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;

/* A header's list of entity tags, or `*`; what does not parse matches nothing. */
function parseEntityTags(value: string): EntityTags {
  if (value.trim() === '*') return { any: true, tags: [] };
  const tags: { weak: boolean; opaque: string }[] = [];
  ENTITY_TAG.lastIndex = 0;
  for (let match = ENTITY_TAG.exec(value); match; match = ENTITY_TAG.exec(value)) {
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string });
    if (ENTITY_TAG.lastIndex >= value.length) break;
  }
  return { any: false, tags };
}

const headerOf = (request: FastifyRequest, name: 'if-match' | 'if-none-match') => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** If-None-Match holds a tag of the current representation (weak comparison): the client's copy is current. */
export function isNotModified(request: FastifyRequest, etag: string): boolean {
  const header = headerOf(request, 'if-none-match');
  if (header === undefined) return false;
  const { any, tags } = parseEntityTags(header);
  return any || tags.some((tag) => tag.opaque === etag);
}

/** 304 with the ETag and no body. */
export function sendNotModified(reply: FastifyReply, etag: string) {
  return reply.code(304).header('etag', etag).send();
}

/**
 * The check of an If-Match header against the current representation, for
 * a write to run inside its transaction on the row it locked; undefined when
 * the request sent none. Strong comparison: a weak tag never matches; `*`
 * matches any current representation.
 */
export function ifMatchCheck<T>(request: FastifyRequest, etagOf: (current: T) => string): ((current: T) => void) | undefined {
  const header = headerOf(request, 'if-match');
  if (header === undefined) return undefined;
  const { any, tags } = parseEntityTags(header);
  return (current) => {
    if (any) return;
    const etag = etagOf(current);
    if (!tags.some((tag) => !tag.weak && tag.opaque === etag)) {
      throw new AppError('precondition_failed', '412 Precondition Failed: it changed since the ETag sent in If-Match; read it again and retry.');
    }
  };
}
