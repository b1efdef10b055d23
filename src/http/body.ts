import type { FastifyInstance, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { parse as parseQueryString } from 'fast-querystring';
import { AppError } from '../errors.ts';
import { MAX_BODY_FIELDS, MULTIPART_LIMIT_BYTES, parseMultipart, tooManyFields } from './multipart.ts';

/** JSON and urlencoded bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/*
 * Every write accepts multipart, urlencoded and JSON. Forms name arrays
 * `sites[]` (or `sites[0]`); after parsing, every body is one plain object
 * whose array fields carry their bare name, whatever the format. No body
 * may have more than MAX_BODY_FIELDS fields, so parsing costs what the body
 * weighs.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES, parser: parseForm });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MULTIPART_LIMIT_BYTES },
    async (request: FastifyRequest, body: Buffer) => parseMultipart(request.headers['content-type'] ?? '', body),
  );
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (isPlainObject(request.body)) request.body = normaliseFields(request.body);
  });
}

/** Pairs are counted before they are parsed: 60,000 keys are refused, not built. */
function parseForm(body: string): Record<string, unknown> {
  let pairs = 1;
  for (let at = body.indexOf('&'); at >= 0; at = body.indexOf('&', at + 1)) {
    if (++pairs > MAX_BODY_FIELDS) throw tooManyFields();
  }
  return parseQueryString(body);
}

const ARRAY_KEY = /^(.+?)\[(\d*)\]$/;

/*
 * `sites[]` and `sites[0]` keys folded into one `sites` array, each value
 * appended once. `__proto__` is no field of ours and would reach the
 * object's prototype, so it is dropped.
 */
export function normaliseFields(body: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(body);
  if (keys.length > MAX_BODY_FIELDS) throw tooManyFields();
  const fields: Record<string, unknown> = {};
  const folded = new Set<string>();
  for (const key of keys) {
    const value = body[key];
    const arrayKey = ARRAY_KEY.exec(key);
    const name = arrayKey ? (arrayKey[1] as string) : key;
    if (name === '__proto__') continue;
    if (!arrayKey) {
      fields[name] = value;
      folded.delete(name);
      continue;
    }
    let items = fields[name];
    if (!folded.has(name) || !Array.isArray(items)) {
      items = items === undefined ? [] : Array.isArray(items) ? [...items] : [items];
      fields[name] = items;
      folded.add(name);
    }
    if (Array.isArray(value)) for (const item of value) (items as unknown[]).push(item);
    else (items as unknown[]).push(value);
  }
  return fields;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A route's body as fields: none sent is no fields; anything but an object of fields is a 400. */
export function bodyFields(request: FastifyRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === null) return {};
  if (!isPlainObject(request.body)) throw new AppError('bad_request', 'The request body must be an object of fields.');
  return request.body;
}

/**
 * A validator that lets the body through as sent: for the routes whose
 * fields their service checks, so that one 422 names every failing field.
 * The route's body schema then serves the OpenAPI document only.
 */
export const documentedOnly = () => (data: unknown) => ({ value: data });
