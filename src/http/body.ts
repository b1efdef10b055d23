import type { FastifyInstance, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { AppError } from '../errors.ts';

/** Bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/*
 * A file part of a multipart body, kept whole under its field name. Its
 * filename and declared type are the client's word only; what the bytes are
 * is for the field that reads them to decide.
 */
export interface UploadedFile {
  readonly filename: string;
  readonly mimetype: string;
  readonly data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  const file = value as Partial<UploadedFile> | null;
  return typeof file === 'object' && file !== null && Buffer.isBuffer(file.data)
    && typeof file.filename === 'string' && typeof file.mimetype === 'string';
}

/*
 * Above any file a field accepts (a logo: 2 MB), so that a file too large
 * for its field is that field's 422, naming it, rather than a 413.
 */
const FILE_LIMIT_BYTES = 8 * 1024 * 1024;

/*
 * Every write accepts multipart, urlencoded and JSON. Forms name arrays
 * `sites[]` (or `sites[0]`); after parsing, every body is one plain object
 * whose array fields carry their bare name, whatever the format.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  app.removeContentTypeParser('text/plain');
  await app.register(multipart, {
    limits: { fieldSize: 256 * 1024, fields: 200, files: 4, fileSize: FILE_LIMIT_BYTES, parts: 210 },
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.isMultipart()) request.body = await readMultipartFields(request);
    if (isPlainObject(request.body)) request.body = normaliseFields(request.body);
  });
}

/** Multipart fields as one object, files as UploadedFile; repeated names become arrays. */
async function readMultipartFields(request: FastifyRequest): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  try {
    for await (const part of request.parts()) {
      let value: unknown;
      if (part.type === 'file') {
        value = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() } satisfies UploadedFile;
      } else {
        if (part.valueTruncated || part.fieldnameTruncated) throw new AppError('payload_too_large', 'A field of the request body is too large.');
        value = part.value;
      }
      const existing = fields[part.fieldname];
      fields[part.fieldname] = existing === undefined ? value : ([] as unknown[]).concat(existing, value);
    }
  } catch (error) {
    // Limits keep their own codes (413); anything else busboy raises is a malformed body.
    if (error instanceof AppError || (error as { code?: string }).code?.startsWith('FST_')) throw error;
    throw new AppError('bad_request', 'The multipart body could not be parsed.');
  }
  return fields;
}

const ARRAY_KEY = /^(.+?)\[(\d*)\]$/;

/** Renames array keys only: values, files among them, pass through as they are. */
export function normaliseFields(body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
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
