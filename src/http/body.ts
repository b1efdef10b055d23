import type { FastifyInstance, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';

/** Bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/*
 * Every write accepts multipart, urlencoded and JSON. Forms name arrays
 * `sites[]` (or `sites[0]`); after parsing, every body is one plain object
 * whose array fields carry their bare name, whatever the format.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fieldSize: 256 * 1024, fields: 200, files: 4, fileSize: 2 * 1024 * 1024, parts: 210 },
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (isPlainObject(request.body)) request.body = normaliseFields(request.body);
  });
}

const ARRAY_KEY = /^(.+?)\[(\d*)\]$/;

export function normaliseFields(body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (Buffer.isBuffer(value)) continue; // uploaded files are not job fields
    const arrayKey = ARRAY_KEY.exec(key);
    if (!arrayKey) {
      fields[key] = value;
      continue;
    }
    const name = arrayKey[1] as string;
    const existing = fields[name];
    const items = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
    fields[name] = items.concat(value);
  }
  return fields;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
