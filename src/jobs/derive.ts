import { compile } from 'html-to-text';
import { DateTime } from 'luxon';
import { JOB_FIELDS } from './schema.ts';

/* Values the contract derives when the vendor leaves them out, each within the limit of the field it fills. */

export const DEFAULT_OPEN_DAYS = 28;

/* Compiled once: compiling the options costs some 300 µs, more than converting a typical description. */
const toPlainText = compile({ wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }] });

/** The description as plain text, as much of it as a summary takes (300 characters). */
export function deriveSummary(description: string): string {
  return JOB_FIELDS.summary.fit(toPlainText(description).replace(/\s+/g, ' '));
}

/** "main_area, sub_area", as much of it as a display takes (255 characters: two full areas do not fit). */
export function deriveLocationDisplay(mainArea: string, subArea: string | null | undefined): string {
  return JOB_FIELDS.location_display.fit([mainArea, subArea].filter((part) => part && part.trim() !== '').join(', '));
}

export function deriveCloseDate(openDate: string): string {
  return DateTime.fromISO(openDate, { zone: 'utc' }).plus({ days: DEFAULT_OPEN_DAYS }).toISODate() as string;
}

/** Postcodes are stored upper case without spaces: "s1 4by" → "S14BY". Upper case can be longer ("ß" → "SS"). */
export function normalisePostcode(postcode: string): string {
  return JOB_FIELDS.postal_code.fit(postcode.replace(/\s+/g, '').toUpperCase());
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
