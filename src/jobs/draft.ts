import type { Catalogue } from '../lookups/catalogue.ts';
import type { FieldErrors } from '../errors.ts';
import type { StoredJob } from './repository.ts';
import type { ReadFields } from './validation.ts';
import { CROSS_FIELD_RULES, JOB_FIELD_ENTRIES, type JobDraft, type NullableFieldName } from './schema.ts';
import type { DraftContext } from './field-kinds.ts';

/*
 * The stored job as a draft to update, each field as its entry in the table
 * reads it back: a derived value that still equals its derivation is null,
 * so that it follows its sources when they change; a value the vendor chose
 * is kept.
 */
export function draftFromJob(stored: StoredJob): JobDraft {
  const draft: Record<string, unknown> = {};
  for (const [name, field] of JOB_FIELD_ENTRIES) {
    const value = field.fromStored(stored);
    if (value !== undefined) draft[name] = value;
  }
  return draft as JobDraft;
}

/** A draft's optional fields, none filled in: where a job made without a request (the seed) starts. */
export const UNFILLED_FIELDS = Object.fromEntries(
  JOB_FIELD_ENTRIES.filter(([, field]) => field.absent === null).map(([name]) => [name, null]),
) as Record<NullableFieldName, null>;

export interface DraftOutcome {
  readonly draft?: JobDraft;
  readonly errors: FieldErrors;
}

/*
 * Applies the fields read from a request to a base draft (the stored job on
 * update, nothing on create), resolving look-ups and checking the rules that
 * span fields. Errors from reading the fields are carried along, so one 422
 * names every failing field.
 */
export function resolveDraft(
  catalogue: Catalogue,
  read: ReadFields,
  organisationId: number | undefined,
  base?: JobDraft,
): DraftOutcome {
  const errors: FieldErrors = structuredClone(read.errors);
  const context: DraftContext = { catalogue, fields: read.fields, sentAs: read.sentAs, errors, organisationId };
  const draft: Record<string, unknown> = { ...base };
  for (const [name, field] of JOB_FIELD_ENTRIES) {
    const value = field.toDraft(read.fields[name], name, context);
    if (value !== undefined) draft[name] = value;
    else if (draft[name] === undefined && field.absent !== undefined) draft[name] = field.absent;
  }
  for (const checkRule of CROSS_FIELD_RULES) checkRule(draft as Partial<JobDraft>, context);
  const complete = Object.keys(errors).length === 0;
  return complete ? { draft: draft as JobDraft, errors } : { errors };
}
