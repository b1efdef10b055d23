import { ENGLISH_STOP_WORDS } from './stop-words.ts';

/**
 * A keyword query as the engines need it: words to match stemmed (all of
 * them), quoted phrases to match in order, and the last bare word, which
 * matches as a prefix too because the user may still be typing it.
 */
export interface TextQuery {
  readonly words: readonly string[];
  readonly phrases: readonly (readonly string[])[];
  readonly prefix: string | null;
}

export const MAX_QUERY_LENGTH = 256;
const MAX_TERMS = 32;

/** Letters and digits of any script; everything else separates words. */
export const WORD = /[\p{L}\p{N}]+/gu;

function wordsOf(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(WORD) ?? []).slice(0, MAX_TERMS);
}

const meaningful = (word: string) => !ENGLISH_STOP_WORDS.has(word);

/** Null when nothing searchable is left (only punctuation or stop words). */
export function parseTextQuery(input: string): TextQuery | null {
  const phrases: string[][] = [];
  const bare = input.replace(/"([^"]*)"?/g, (_match, phrase: string) => {
    const words = wordsOf(phrase);
    if (words.some(meaningful)) phrases.push(words);
    return ' ';
  });
  const words = wordsOf(bare);
  const closedQuotes = (input.match(/"/g)?.length ?? 0) % 2 === 0;
  const stillTyping = closedQuotes && /[\p{L}\p{N}]$/u.test(input);
  const last = stillTyping ? words.pop() : undefined;
  const prefix = last !== undefined && meaningful(last) ? last : null;
  const required = words.filter(meaningful);
  if (required.length === 0 && phrases.length === 0 && prefix === null) return null;
  return { words: required, phrases, prefix };
}
