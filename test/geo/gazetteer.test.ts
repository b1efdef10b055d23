import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  KM_PER_MILE,
  distanceKm,
  findPlace,
  findPlaceAnywhere,
  geocodeAddress,
  loadGazetteer,
  normalisePlaceName,
  type Coordinates,
  type Place,
} from '../../src/geo/gazetteer.ts';
import { PLACE_ALIASES } from '../../src/geo/aliases.ts';

// Rough middles of the countries; only their identity matters to the fallback tests.
const GB_CENTROID: Coordinates = { lat: 54.0, lon: -2.0 };
const US_CENTROID: Coordinates = { lat: 39.8, lon: -98.6 };
const DE_CENTROID: Coordinates = { lat: 51.2, lon: 10.4 };

function assertNear(actual: Coordinates, expected: Coordinates, toleranceKm = 5): void {
  const km = distanceKm(actual, expected);
  assert.ok(km < toleranceKm, `expected within ${toleranceKm} km of ${JSON.stringify(expected)}, was ${km.toFixed(1)} km away`);
}

function mustFind(countryIso: string, name: string): Place {
  const place = findPlace(countryIso, name);
  assert.ok(place, `${name}, ${countryIso} not found`);
  return place;
}

const SHEFFIELD: Coordinates = { lat: 53.38, lon: -1.47 };

describe('findPlace', () => {
  it('resolves Sheffield, GB to the city rather than its namesakes abroad', () => {
    const sheffield = mustFind('GB', 'Sheffield');
    assert.equal(sheffield.countryIso, 'GB');
    assertNear(sheffield, SHEFFIELD);
  });

  it('ignores case and surrounding spaces in the name and the country', () => {
    assert.deepEqual(findPlace('GB', 'sheffield'), mustFind('GB', 'Sheffield'));
    assert.deepEqual(findPlace('gb', ' SHEFFIELD '), mustFind('GB', 'Sheffield'));
  });

  it('matches Zürich with or without its umlaut', () => {
    const accented = mustFind('CH', 'Zürich');
    assert.equal(findPlace('CH', 'Zurich'), accented);
    assertNear(accented, { lat: 47.37, lon: 8.55 });
  });

  it('treats "St.", "St" and "Saint" alike', () => {
    const stAlbans = mustFind('GB', 'St Albans');
    assert.equal(findPlace('GB', 'St. Albans'), stAlbans);
    assert.equal(findPlace('GB', 'Saint Albans'), stAlbans);
    assert.equal(findPlace('US', 'Saint Louis'), mustFind('US', 'St. Louis'));
  });

  it('returns null for unknown, blank or non-string names', () => {
    assert.equal(findPlace('GB', 'Nowheresville-on-Nothing'), null);
    assert.equal(findPlace('GB', '   '), null);
    assert.equal(findPlace('GB', null as unknown as string), null);
    assert.equal(findPlace(undefined as unknown as string, 'Sheffield'), null);
  });

  it('only looks within the given country', () => {
    assert.equal(findPlace('FR', 'Sheffield'), null);
  });
});

describe('findPlace by alias', () => {
  // Where each place really is, so that these hold whatever the alias table says.
  const knownFailures: [countryIso: string, name: string, expected: Coordinates][] = [
    ['US', 'New York', { lat: 40.71, lon: -74.01 }],
    ['DE', 'Frankfurt', { lat: 50.11, lon: 8.68 }],
    ['GB', 'Hull', { lat: 53.74, lon: -0.33 }],
    ['DE', 'Cologne', { lat: 50.94, lon: 6.96 }],
    ['DE', 'München', { lat: 48.14, lon: 11.58 }],
    ['CH', 'Geneva', { lat: 46.2, lon: 6.15 }],
    ['US', 'Washington', { lat: 38.9, lon: -77.04 }],
    ['GB', 'Newcastle', { lat: 54.97, lon: -1.61 }],
  ];
  for (const [countryIso, name, expected] of knownFailures) {
    it(`finds ${name}, ${countryIso}`, () => {
      assertNear(mustFind(countryIso, name), expected, 10);
    });
  }

  it('finds big cities by their English and their local names alike', () => {
    const sameCities: [countryIso: string, ...names: string[]][] = [
      ['DE', 'Munich', 'München', 'Muenchen'],
      ['DE', 'Köln', 'Cologne', 'Koeln'],
      ['NL', 'The Hague', 'Den Haag', "'s-Gravenhage"],
      ['BE', 'Brussels', 'Bruxelles', 'Brussel'],
      ['BE', 'Antwerp', 'Antwerpen', 'Anvers'],
      ['AT', 'Vienna', 'Wien'],
      ['CZ', 'Prague', 'Praha'],
      ['PL', 'Warsaw', 'Warszawa'],
      ['PL', 'Kraków', 'Krakow', 'Cracow'],
      ['PT', 'Lisbon', 'Lisboa'],
      ['DK', 'Copenhagen', 'København'],
      ['SE', 'Gothenburg', 'Göteborg'],
      ['IT', 'Milan', 'Milano'],
      ['IN', 'Mumbai', 'Bombay'],
      ['IN', 'Bengaluru', 'Bangalore'],
      ['IN', 'Kolkata', 'Calcutta'],
      ['IN', 'Chennai', 'Madras'],
      ['CN', 'Beijing', 'Peking'],
      ['RU', 'Saint Petersburg', 'St Petersburg', 'Sankt-Peterburg'],
      ['UA', 'Kyiv', 'Kiev'],
      ['MX', 'Mexico City', 'Ciudad de México', 'CDMX'],
    ];
    for (const [countryIso, ...names] of sameCities) {
      const places = names.map((name) => mustFind(countryIso, name));
      for (const place of places) assert.equal(place, places[0], `${names.join(' / ')}, ${countryIso}`);
    }
  });

  it('finds GB towns by their short names', () => {
    assert.equal(findPlace('GB', 'Stoke'), mustFind('GB', 'Stoke-on-Trent'));
    assert.equal(findPlace('GB', 'Southend'), mustFind('GB', 'Southend-on-Sea'));
    assert.equal(findPlace('GB', 'Brighton and Hove'), mustFind('GB', 'Brighton'));
    assertNear(mustFind('GB', 'Newcastle-under-Lyme'), { lat: 53.01, lon: -2.23 });
  });

  it('leaves a real place of the same name when it is not much smaller', () => {
    assert.equal(findPlace('BE', 'Bergen'), mustFind('BE', 'Mons'));
    assert.equal(findPlaceAnywhere('Bergen')?.countryIso, 'NO');
    assert.equal(findPlace('IN', 'Kochi'), mustFind('IN', 'Cochin'));
    assert.equal(findPlaceAnywhere('Kochi')?.countryIso, 'JP');
  });

  it('applies an alias only in its own country', () => {
    assertNear(mustFind('GB', 'Washington'), { lat: 54.9, lon: -1.52 });
    assertNear(mustFind('AU', 'Newcastle'), { lat: -32.93, lon: 151.78 });
  });

  it('resolves every alias in the table to the place its canonical name finds', () => {
    for (const [countryIso, aliases] of Object.entries(PLACE_ALIASES)) {
      for (const [alias, canonicalName] of Object.entries(aliases)) {
        const place = findPlace(countryIso, canonicalName);
        assert.ok(place, `${canonicalName}, ${countryIso} (for "${alias}") is not in the gazetteer`);
        assert.equal(findPlace(countryIso, alias), place, `"${alias}", ${countryIso} does not find ${canonicalName}`);
      }
    }
  });
});

describe('findPlaceAnywhere', () => {
  it('prefers the most populous London, which is in GB rather than CA', () => {
    const london = findPlaceAnywhere('London');
    assert.equal(london?.countryIso, 'GB');
    assertNear(london!, { lat: 51.51, lon: -0.13 });
    assert.equal(findPlace('CA', 'London')?.countryIso, 'CA');
  });
});

describe('distanceKm', () => {
  const tenMilesKm = 10 * KM_PER_MILE;

  it('puts Rotherham within 10 miles of Sheffield and Leeds outside', () => {
    const sheffield = mustFind('GB', 'Sheffield');
    assert.ok(distanceKm(sheffield, mustFind('GB', 'Rotherham')) < tenMilesKm);
    assert.ok(distanceKm(sheffield, mustFind('GB', 'Leeds')) > tenMilesKm);
  });

  it('is zero between a point and itself and symmetric otherwise', () => {
    assert.equal(distanceKm(SHEFFIELD, SHEFFIELD), 0);
    const london = { lat: 51.50853, lon: -0.12574 };
    assert.equal(distanceKm(SHEFFIELD, london), distanceKm(london, SHEFFIELD));
  });

  it('gives half the circumference for antipodes instead of NaN', () => {
    const km = distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 });
    assert.ok(Math.abs(km - Math.PI * 6371.0088) < 1e-6);
  });
});

describe('geocodeAddress', () => {
  it('places a known main area', () => {
    const result = geocodeAddress({ countryIso: 'GB', mainArea: 'Sheffield' }, GB_CENTROID);
    assert.equal(result.precision, 'place');
    assertNear(result, SHEFFIELD);
  });

  it('tries each part of "Sheffield, South Yorkshire"', () => {
    const result = geocodeAddress({ countryIso: 'GB', mainArea: 'Sheffield, South Yorkshire' }, GB_CENTROID);
    assert.equal(result.precision, 'place');
    assertNear(result, SHEFFIELD);
  });

  it('places "Washington, DC", "New York, NY" and "Frankfurt/Main"', () => {
    assertNear(geocodeAddress({ countryIso: 'US', mainArea: 'Washington, DC' }, US_CENTROID), { lat: 38.9, lon: -77.04 }, 10);
    assertNear(geocodeAddress({ countryIso: 'US', mainArea: 'New York, NY' }, US_CENTROID), { lat: 40.71, lon: -74.01 }, 10);
    assertNear(geocodeAddress({ countryIso: 'DE', mainArea: 'Frankfurt/Main' }, DE_CENTROID), { lat: 50.11, lon: 8.68 }, 10);
  });

  it('falls back to the locality, then the sub area', () => {
    const byLocality = geocodeAddress({ countryIso: 'GB', mainArea: 'Nowhere', locality: 'Rotherham', subArea: 'Leeds' }, GB_CENTROID);
    assertNear(byLocality, mustFind('GB', 'Rotherham'));
    const bySubArea = geocodeAddress({ countryIso: 'GB', mainArea: 'Nowhere', subArea: 'Leeds' }, GB_CENTROID);
    assertNear(bySubArea, mustFind('GB', 'Leeds'));
  });

  it('falls back to the country centroid for an unknown town', () => {
    const result = geocodeAddress({ countryIso: 'GB', mainArea: 'Nowheresville-on-Nothing', postcode: 'S1 2AB' }, GB_CENTROID);
    assert.deepEqual(result, { ...GB_CENTROID, precision: 'country' });
  });

  it('never throws for odd input', () => {
    const oddities = ['', ' ', ',', ',,,', '\u0000', '🙂', 'a'.repeat(100_000), '(((', '\\', 'Sheffield|GB'];
    for (const odd of oddities) {
      const result = geocodeAddress({ countryIso: odd, mainArea: odd, subArea: odd, locality: odd, postcode: odd }, GB_CENTROID);
      assert.ok(result.precision === 'place' || result.precision === 'country');
    }
    const nulls = geocodeAddress({ countryIso: 'GB', mainArea: null, subArea: null, locality: null, postcode: null }, GB_CENTROID);
    assert.equal(nulls.precision, 'country');
    const wrongTypes = { countryIso: 44, mainArea: ['Sheffield'], locality: {} } as unknown as Parameters<typeof geocodeAddress>[0];
    assert.equal(geocodeAddress(wrongTypes, GB_CENTROID).precision, 'country');
  });
});

describe('normalisePlaceName', () => {
  it('folds accents, letters without decomposition, punctuation and apostrophes', () => {
    assert.equal(normalisePlaceName('  Saint-Étienne  '), 'st etienne');
    assert.equal(normalisePlaceName('Gießen'), 'giessen');
    assert.equal(normalisePlaceName('Łódź'), 'lodz');
    assert.equal(normalisePlaceName("St Mary's"), normalisePlaceName('St. Marys'));
  });
});

describe('loadGazetteer', () => {
  it('can be called repeatedly', () => {
    loadGazetteer();
    loadGazetteer();
    assert.ok(findPlace('GB', 'Sheffield'));
  });
});
