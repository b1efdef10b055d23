import { Busboy } from '@fastify/busboy';
import { AppError } from '../errors.ts';

/*
 * Multipart bodies are read whole (they are bounded) and repaired before
 * busboy parses them, because the reference's own samples send two kinds of
 * body that a streaming parser refuses:
 *   - curl with its own Content-Type header beside -F sends two `boundary`
 *     parameters and writes the body with the second;
 *   - PHP's string literal sends delimiter and header lines ending in a bare
 *     LF, which PHP's own parser (rfc1867.c) reads.
 * @fastify/multipart pipes the raw request into busboy, so it cannot be
 * given a repaired body; busboy itself (the parser it wraps) is used here.
 */

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

/** Whole multipart bodies: room for a 5 MB file and the fields beside it; any file a field takes is smaller, so that a file too large for its field is that field's 422. */
export const MULTIPART_LIMIT_BYTES = 8 * 1024 * 1024;
/** Fields of any body, in any format; beyond it 413, before the fields are looked at. */
export const MAX_BODY_FIELDS = 1000;
const MAX_FILES = 4;
const MAX_FIELD_BYTES = 256 * 1024;

const unparseable = () => new AppError('bad_request', 'The multipart body could not be parsed.');
export const tooManyFields = () =>
  new AppError('payload_too_large', `The request body may have at most ${MAX_BODY_FIELDS} fields.`);

/** Every `boundary` parameter of a Content-Type, in order. */
export function boundaryParameters(contentType: string): string[] {
  const found: string[] = [];
  for (const match of contentType.matchAll(/;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/gi)) {
    const boundary = match[1] ?? match[2];
    if (boundary) found.push(boundary);
  }
  return found;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/** Where the body's first delimiter line for this boundary starts, or -1. */
function firstDelimiter(body: Buffer, boundary: string): number {
  const delimiter = Buffer.from(`--${boundary}`);
  for (let at = body.indexOf(delimiter); at >= 0; at = body.indexOf(delimiter, at + 1)) {
    const next = body[at + delimiter.length];
    const startsLine = at === 0 || body[at - 1] === LF;
    // A longer boundary that merely starts with this one is not this one.
    const endsDelimiter = next === undefined || next === CR || next === LF || next === DASH || next === 0x20 || next === 0x09;
    if (startsLine && endsDelimiter) return at;
  }
  return -1;
}

/** Among the Content-Type's boundaries, the one the body is written with: the earliest delimiter wins. */
export function boundaryOfBody(contentType: string, body: Buffer): string | undefined {
  let chosen: { boundary: string; at: number } | undefined;
  for (const boundary of boundaryParameters(contentType)) {
    const at = firstDelimiter(body, boundary);
    if (at >= 0 && (!chosen || at < chosen.at)) chosen = { boundary, at };
  }
  return chosen?.boundary;
}

/** True when the first delimiter line ends in a bare LF rather than CRLF. */
function usesBareLineFeeds(body: Buffer, boundary: string): boolean {
  let at = firstDelimiter(body, boundary) + boundary.length + 2;
  while (body[at] === 0x20 || body[at] === 0x09) at += 1;
  return body[at] === LF;
}

/*
 * Rewrites a bare-LF body with CRLF delimiters and header lines, as PHP
 * reads it: a part's value is everything between its blank line and the LF
 * before the next delimiter, and keeps its own line ends.
 */
export function withCrlfStructure(body: Buffer, boundary: string): Buffer {
  const delimiter = Buffer.from(`\n--${boundary}`);
  const pieces: Buffer[] = [];
  let at = firstDelimiter(body, boundary) + delimiter.length - 1;
  let parts = 0;
  while (body[at] !== DASH || body[at + 1] !== DASH) {
    const lineEnd = body.indexOf(LF, at);
    if (lineEnd < 0) throw unparseable();
    const next = body.indexOf(delimiter, lineEnd);
    if (next < 0) throw unparseable();
    if (++parts > MAX_BODY_FIELDS + MAX_FILES) throw tooManyFields();
    pieces.push(Buffer.from(`--${boundary}\r\n`), crlfPart(body.subarray(lineEnd + 1, next)), Buffer.from('\r\n'));
    at = next + delimiter.length;
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** One part's header lines joined by CRLF, its value untouched. */
function crlfPart(part: Buffer): Buffer {
  const blank = part.indexOf('\n\n');
  const headerEnd = blank >= 0 ? blank : part.length;
  const headers = part.subarray(0, headerEnd).toString('latin1').split(/\r?\n/).map((line) => line.replace(/\r$/, ''));
  const value = blank >= 0 ? part.subarray(blank + 2) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), value]);
}

/** A multipart body as one object of fields and files; repeated names become arrays. */
export function parseMultipart(contentType: string, body: Buffer): Promise<Record<string, unknown>> {
  if (body.length === 0) return Promise.resolve({});
  const boundary = boundaryOfBody(contentType, body);
  if (!boundary) return Promise.reject(unparseable());
  const wellFormed = usesBareLineFeeds(body, boundary) ? withCrlfStructure(body, boundary) : body;
  if (countDelimiters(wellFormed, boundary) > MAX_BODY_FIELDS + MAX_FILES + 1) return Promise.reject(tooManyFields());
  return readParts(boundary, wellFormed);
}

/*
 * Busboy reports its field limit but goes on reading every part after it:
 * 60,000 parts took half a second. Counted first, natively, they cost what
 * the bytes weigh.
 */
function countDelimiters(body: Buffer, boundary: string): number {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let count = 1;
  for (let at = body.indexOf(delimiter); at >= 0; at = body.indexOf(delimiter, at + delimiter.length)) count += 1;
  return count;
}

function readParts(boundary: string, body: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    let failure: AppError | undefined;
    const fail = (error: AppError) => {
      failure ??= error;
    };
    const add = (name: string, value: unknown) => {
      if (name === '__proto__') return;
      const existing = fields[name];
      if (existing === undefined) fields[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else fields[name] = [existing, value];
    };
    const parser = Busboy({
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
      limits: {
        fields: MAX_BODY_FIELDS,
        files: MAX_FILES,
        parts: MAX_BODY_FIELDS + MAX_FILES,
        fieldSize: MAX_FIELD_BYTES,
        fileSize: MULTIPART_LIMIT_BYTES,
      },
    });
    parser.on('field', (name: string, value: string, nameTruncated: boolean, valueTruncated: boolean) => {
      if (nameTruncated || valueTruncated) fail(new AppError('payload_too_large', 'A field of the request body is too large.'));
      else add(name, value);
    });
    parser.on('file', (name: string, stream: NodeJS.ReadableStream, filename: string, _encoding: string, mimetype: string) => {
      const chunks: Buffer[] = [];
      stream.on('limit', () => fail(new AppError('payload_too_large', 'A file of the request body is too large.')));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => add(name, { filename, mimetype, data: Buffer.concat(chunks) } satisfies UploadedFile));
    });
    for (const limit of ['fieldsLimit', 'partsLimit'] as const) parser.on(limit, () => fail(tooManyFields()));
    parser.on('filesLimit', () => fail(new AppError('payload_too_large', `The request body may carry at most ${MAX_FILES} files.`)));
    // A broken body may never finish: its error settles the promise at once.
    parser.on('error', () => reject(failure ?? unparseable()));
    parser.on('finish', () => (failure ? reject(failure) : resolve(fields)));
    parser.end(body);
  });
}
