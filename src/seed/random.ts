/*
 * A small seeded generator (mulberry32), so that the same --seed gives the
 * same jobs and benchmarks can be repeated. Not for anything secret.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number from min to max, both included. */
  integer(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    integer,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (probability) => next() < probability,
  };
}

/** Picks items in proportion to their weights, by binary search over the running totals. */
export function weightedPicker<T>(entries: readonly (readonly [item: T, weight: number])[]): (random: Random) => T {
  const items = entries.filter(([, weight]) => weight > 0).map(([item]) => item);
  const totals: number[] = [];
  let sum = 0;
  for (const [, weight] of entries) if (weight > 0) totals.push((sum += weight));
  if (items.length === 0) throw new Error('nothing to pick from');
  return (random) => {
    const target = random.next() * sum;
    let low = 0;
    let high = totals.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((totals[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    return items[low] as T;
  };
}
