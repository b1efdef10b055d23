import { JOB_FIELDS } from './schema.ts';

/* The values the contract derives when the vendor leaves them out, as the field table derives them, each within its field's limit. */

/** The description as plain text, as much of it as a summary takes (300 characters). */
export function deriveSummary(description: string): string {
  return JOB_FIELDS.summary.derive({ description });
}

/** "main_area, sub_area", as much of it as a display takes (255 characters: two full areas do not fit). */
export function deriveLocationDisplay(mainArea: string, subArea: string | null | undefined): string {
  return JOB_FIELDS.location_display.derive({ main_area: mainArea, sub_area: subArea ?? null });
}

/** Postcodes are stored upper case without spaces: "s1 4by" → "S14BY". Upper case can be longer ("ß" → "SS"). */
export function normalisePostcode(postcode: string): string {
  return JOB_FIELDS.postal_code.normalise(postcode);
}

/** "Senior Developer (Node.js)" → "senior-developer-node-js". */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
