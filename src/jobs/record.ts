import type { Tx } from '../db/types.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import { JOB_FIELD_ENTRIES, type JobDraft } from './schema.ts';
import { findOrCreatePostcode } from './repository.ts';
import type { JobColumns, RecordContext } from './field-kinds.ts';

const ENGLISH = 'en';

/** The columns a draft is stored as, with every derived value filled in, each field filling its own. */
export async function draftToRecord(tx: Tx, catalogue: Catalogue, draft: JobDraft): Promise<JobColumns> {
  // The one column no field fills: jobs are in English until the contract lets a vendor say otherwise.
  const columns = { language_id: catalogue.languages.find(ENGLISH)?.id ?? 1 };
  const context: RecordContext = { tx, catalogue, columns, findOrCreatePostcode };
  const values = draft as Record<string, unknown>;
  for (const [name, field] of JOB_FIELD_ENTRIES) {
    const pending = field.toColumns(values[name], draft, context);
    if (pending) await pending;
  }
  return context.columns as JobColumns;
}
