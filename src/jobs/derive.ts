import { compile } from 'html-to-text';
import { DateTime } from 'luxon';

/* Values the contract derives when the vendor leaves them out. */

export const SUMMARY_LENGTH = 300;
export const DEFAULT_OPEN_DAYS = 28;

/* Compiled once: compiling the options costs some 300 µs, more than converting a typical description. */
const toPlainText = compile({ wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }] });

/** The first 300 characters of the description as plain text. */
export function deriveSummary(description: string): string {
  const plain = toPlainText(description);
  return [...plain.replace(/\s+/g, ' ').trim()].slice(0, SUMMARY_LENGTH).join('').trim();
}

export function deriveLocationDisplay(mainArea: string, subArea: string | null | undefined): string {
  return [mainArea, subArea].filter((part) => part && part.trim() !== '').join(', ');
}

export function deriveCloseDate(openDate: string): string {
  return DateTime.fromISO(openDate, { zone: 'utc' }).plus({ days: DEFAULT_OPEN_DAYS }).toISODate() as string;
}

/** Postcodes are stored upper case without spaces: "s1 4by" → "S14BY". */
export function normalisePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
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
