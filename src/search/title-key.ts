/** A title folded for prefix look-ups: lower case, no accents, single spaces. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The smallest string greater than every string starting with `prefix`, for an index range scan. */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10ffff}`;
}
