import type { FieldErrors } from '../errors.ts';
import { isUploadedFile } from '../http/multipart.ts';
import { JOB_FIELD_ENTRIES, type JobFieldName, type JobFields } from './schema.ts';
import { addError, attributeName } from './rules.ts';

export interface ReadFields {
  readonly fields: JobFields;
  readonly errors: FieldErrors;
  /** For each field, the name the client used (an alias or its own), for messages. */
  readonly sentAs: Record<JobFieldName, string>;
}

/* A file part without bytes is empty too: what a form sends for a file input left blank. */
export function isEmpty(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (isUploadedFile(raw)) return raw.data.length === 0;
  if (typeof raw === 'string') return raw.trim() === '';
  return Array.isArray(raw) && raw.every(isEmpty);
}

/*
 * Reads every job field the body carries and checks its own rule. On create
 * a required field that is absent fails; on update absent fields are kept.
 * A field sent empty is null (and fails if required), as forms cannot send null.
 */
export function readJobFields(body: Record<string, unknown>, mode: 'create' | 'update'): ReadFields {
  const fields: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  const sentAs = {} as Record<JobFieldName, string>;
  for (const [name, { rule, required }] of JOB_FIELD_ENTRIES) {
    const key = [name, ...rule.aliases].find((candidate) => body[candidate] !== undefined);
    sentAs[name] = key ?? name;
    const attribute = attributeName(sentAs[name]);
    if (key === undefined) {
      if (mode === 'create' && required) addError(errors, name, `The ${attribute} field is required.`);
      continue;
    }
    const raw = body[key];
    if (isEmpty(raw)) {
      if (required) addError(errors, key, `The ${attribute} field is required.`);
      else fields[name] = null;
      continue;
    }
    const parsed = rule.parse(raw, attribute);
    if (parsed.ok) fields[name] = parsed.value;
    else addError(errors, key, parsed.message);
  }
  return { fields: fields as JobFields, errors, sentAs };
}
