import { seededRandom, type Random } from '../../src/seed/random.ts';
import type { Vocabulary } from './dataset.ts';

/*
 * The searches a board's visitors make, as many distinct URLs: one or two
 * words of role names, the last one sometimes half typed; some near a big
 * town within a radius, some with a pay floor or range, some on page 2, some
 * in another order. The set is drawn from a fixed seed, so every run and its
 * ceiling ask for the same URLs; a run draws from it in an order of its own.
 * Broad on purpose: a cache that one repeated query keeps warm proves nothing.
 */

export const SEARCH_MIX_SIZE = 600;
const MIX_SEED = 13;

const RADII = [5, 10, 25, 50];
const SALARY_FLOORS = [20_000, 25_000, 30_000, 40_000, 50_000, 70_000];
const ORDERS = ['newest', 'closing', 'salary'];

const q = encodeURIComponent;

/** The start of a word, as a visitor still typing it leaves it: at least three letters, at least one short. */
function halfTyped(word: string, random: Random): string {
  return word.slice(0, random.integer(3, Math.max(3, word.length - 1)));
}

function keywords(vocabulary: Vocabulary, random: Random): string[] {
  const words = [random.pick(vocabulary.words)];
  const second = random.pick(vocabulary.words);
  if (random.chance(0.4) && second !== words[0]) words.push(second);
  if (random.chance(0.15)) words.push(halfTyped(words.pop() as string, random));
  return words;
}

function oneSearch(vocabulary: Vocabulary, random: Random): string {
  const parameters = [`q=${q(keywords(vocabulary, random).join(' '))}`];
  const nearTown = random.chance(0.3);
  if (nearTown) parameters.push(`location=${q(random.pick(vocabulary.towns))}`, `radius=${random.pick(RADII)}`);
  if (random.chance(0.15)) {
    const floor = random.pick(SALARY_FLOORS);
    parameters.push(`salary_min=${floor}`);
    if (random.chance(0.4)) parameters.push(`salary_max=${floor + random.pick([10_000, 20_000, 30_000])}`);
    parameters.push('salary_currency=GBP');
  }
  if (random.chance(0.15)) parameters.push(`sort=${nearTown && random.chance(0.5) ? 'distance' : random.pick(ORDERS)}`);
  if (random.chance(0.15)) parameters.push('page[number]=2');
  return `/api/job?${parameters.join('&')}`;
}

const made = new WeakMap<Vocabulary, readonly string[]>();

/** The mix's distinct paths, in the order drawn; the same for the same vocabulary. */
export function searchMixPaths(vocabulary: Vocabulary): readonly string[] {
  const known = made.get(vocabulary);
  if (known) return known;
  const random = seededRandom(MIX_SEED);
  const paths = new Set<string>();
  for (let tries = 0; paths.size < SEARCH_MIX_SIZE && tries < SEARCH_MIX_SIZE * 20; tries += 1) paths.add(oneSearch(vocabulary, random));
  const list = [...paths];
  made.set(vocabulary, list);
  return list;
}
