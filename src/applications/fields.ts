import { Type } from '@sinclair/typebox';
import { AppError, type FieldErrors } from '../errors.ts';
import { isUploadedFile } from '../http/multipart.ts';
import { addError, attributeName, email, text, type FieldRule } from '../jobs/rules.ts';
import { isEmpty } from '../jobs/validation.ts';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../db/types.ts';
import { DOCUMENT_TYPES, downloadFilename, sniffDocumentType, type DocumentType } from './documents.ts';

/*
 * The fields of an application, each with its rule (from jobs/rules.ts, so
 * messages read as the job fields' do), checked all together so that one
 * 422 names every failing field. A CV comes as a multipart file `cv`, or in
 * JSON as `cv_content` (base64) with `cv_filename`.
 */

/** Bytes, the most a CV may weigh: beyond it 413, not 422 (the body is too large for what it carries). */
export const MAX_CV_BYTES = 5 * 1024 * 1024;
export const MAX_COVER_LETTER = 10_000;
export const MAX_NOTES = 10_000;

const APPLY_FIELDS = {
  first_name: { rule: text(255), required: true },
  last_name: { rule: text(255), required: true },
  email: { rule: email(255), required: true },
  phone: { rule: text(50), required: false },
  cover_letter: { rule: text(MAX_COVER_LETTER), required: false },
  source: { rule: text(100, { description: 'A tracking tag of the board: where the candidate came from' }), required: false },
} as const satisfies Record<string, { rule: FieldRule<string>; required: boolean }>;

type ApplyTextField = keyof typeof APPLY_FIELDS;

export interface CvFile {
  readonly data: Buffer;
  readonly type: DocumentType;
  /** As the download names it: the client's base name with the type's extension. */
  readonly filename: string;
}

export type ApplicationInput = { readonly [name in ApplyTextField]: string | null } & { readonly cv: CvFile | null };

const ACCEPTED = new Set(['1', 'true', 'yes', 'on']);
const TYPES = DOCUMENT_TYPES.map((type) => type.name).join(', ');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The application's fields, or the 422 naming every failing one (413 for a CV over MAX_CV_BYTES). */
export function readApplicationFields(body: Record<string, unknown>): ApplicationInput {
  const errors: FieldErrors = {};
  const values: Record<string, string | null> = {};
  for (const [name, { rule, required }] of Object.entries(APPLY_FIELDS)) {
    const raw = body[name];
    if (isEmpty(raw)) {
      if (required) addError(errors, name, `The ${attributeName(name)} field is required.`);
      values[name] = null;
      continue;
    }
    const parsed = rule.parse(raw, attributeName(name));
    if (parsed.ok) values[name] = parsed.value;
    else addError(errors, name, parsed.message);
  }
  const cv = readCv(body, errors);
  readConsent(body.consent, errors);
  if (Object.keys(errors).length > 0) throw new AppError('validation_failed', undefined, errors);
  return { ...(values as Record<ApplyTextField, string | null>), cv };
}

/* Consent must be given in so many words: true, or a form's 1, true, yes or on. */
function readConsent(raw: unknown, errors: FieldErrors): void {
  if (isEmpty(raw)) return addError(errors, 'consent', 'The consent field is required.');
  const accepted = raw === true || (typeof raw === 'string' && ACCEPTED.has(raw.trim().toLowerCase()));
  if (!accepted) addError(errors, 'consent', 'The consent must be accepted.');
}

function readCv(body: Record<string, unknown>, errors: FieldErrors): CvFile | null {
  const file = body.cv;
  const content = body.cv_content;
  if (!isEmpty(file) && !isEmpty(content)) {
    addError(errors, 'cv_content', 'The cv content field must be missing when cv is present.');
    return null;
  }
  if (!isEmpty(file)) {
    if (!isUploadedFile(file)) {
      addError(errors, 'cv', 'The cv must be a file.');
      return null;
    }
    return checkCv(file.data, file.filename, 'cv', errors);
  }
  if (isEmpty(content)) return null;
  const filename = body.cv_filename;
  if (isEmpty(filename)) addError(errors, 'cv_filename', 'The cv filename field is required when cv content is present.');
  else if (typeof filename !== 'string' || [...filename].length > 255) addError(errors, 'cv_filename', 'The cv filename may not be greater than 255 characters.');
  const encoded = typeof content === 'string' ? content.replace(/\s+/g, '') : undefined;
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    addError(errors, 'cv_content', 'The cv content must be a base64 encoded file.');
    return null;
  }
  // Refused before decoding: base64 takes four characters for three bytes.
  if ((encoded.length / 4) * 3 > MAX_CV_BYTES + 2) throw cvTooLarge();
  return checkCv(Buffer.from(encoded, 'base64'), typeof filename === 'string' ? filename : '', 'cv_content', errors);
}

function checkCv(data: Buffer, filename: string, field: string, errors: FieldErrors): CvFile | null {
  if (data.length > MAX_CV_BYTES) throw cvTooLarge();
  const type = sniffDocumentType(data);
  if (!type) {
    addError(errors, field, `The ${attributeName(field)} must be a file of type: ${TYPES}.`);
    return null;
  }
  return { data, type, filename: downloadFilename(filename, type) };
}

const cvTooLarge = () =>
  new AppError('payload_too_large', `413 Payload Too Large: the cv may not be greater than ${MAX_CV_BYTES / 1024 / 1024} MB (${MAX_CV_BYTES.toLocaleString('en')} bytes).`);

export interface ApplicationChanges {
  readonly status?: ApplicationStatus;
  readonly notes?: string | null;
}

const notesRule = text(MAX_NOTES);

/** An update's status and notes (either may be absent: kept), or the 422 naming both. */
export function readApplicationChanges(body: Record<string, unknown>): ApplicationChanges {
  const errors: FieldErrors = {};
  const changes: { status?: ApplicationStatus; notes?: string | null } = {};
  if (body.status !== undefined) {
    const status = typeof body.status === 'string' ? body.status.trim().toLowerCase() : '';
    if (isEmpty(body.status)) addError(errors, 'status', 'The status field is required.');
    else if ((APPLICATION_STATUSES as readonly string[]).includes(status)) changes.status = status as ApplicationStatus;
    else addError(errors, 'status', 'The selected status is invalid.');
  }
  if (body.notes !== undefined) {
    if (isEmpty(body.notes)) changes.notes = null;
    else {
      const parsed = notesRule.parse(body.notes, 'notes');
      if (parsed.ok) changes.notes = parsed.value;
      else addError(errors, 'notes', parsed.message);
    }
  }
  if (Object.keys(errors).length > 0) throw new AppError('validation_failed', undefined, errors);
  return changes;
}

/* The documented bodies (OpenAPI); the fields are checked above, so that one 422 names every one. */
export const ApplyBody = Type.Object({
  ...Object.fromEntries(Object.entries(APPLY_FIELDS).map(([name, { rule, required }]) => [name, required ? rule.schema : Type.Optional(rule.schema)])),
  cv: Type.Optional(Type.String({ format: 'binary', description: `A file of type ${TYPES}, told by its bytes; at most 5 MB` })),
  cv_content: Type.Optional(Type.String({ description: 'JSON bodies: the CV as base64' })),
  cv_filename: Type.Optional(Type.String({ maxLength: 255 })),
  consent: Type.Union([Type.Boolean(), Type.String()], { description: 'Must be true (1, true, yes or on)' }),
});

export const UpdateApplicationBody = Type.Object({
  status: Type.Optional(Type.Union(APPLICATION_STATUSES.map((status) => Type.Literal(status)))),
  notes: Type.Optional(Type.String({ maxLength: MAX_NOTES })),
});
