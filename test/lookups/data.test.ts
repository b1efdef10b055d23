import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import currencyCodes from 'currency-codes';
import getSymbolFromCurrency from 'currency-symbol-map';
import isoCountries from 'i18n-iso-countries';
import ISO6391 from 'iso-639-1';
import {
  applyTypes,
  categories,
  countries,
  currencies,
  excludedCurrencyCodes,
  jobTypes,
  languages,
  salaryFrequencies,
  annualMultiplier,
} from '../../src/lookups/data/index.ts';

function assertUnique<T>(rows: readonly T[], key: (row: T) => unknown, what: string): void {
  const seen = new Set<unknown>();
  for (const row of rows) {
    const value = key(row);
    assert.ok(!seen.has(value), `duplicate ${what}: ${String(value)}`);
    seen.add(value);
  }
}

function assertPositiveIntegerIds(rows: readonly { id: number }[]): void {
  for (const { id } of rows) assert.ok(Number.isInteger(id) && id > 0, `bad id ${id}`);
  assertUnique(rows, (row) => row.id, 'id');
}

function byId<T extends { id: number }>(rows: readonly T[], id: number): T {
  const row = rows.find((candidate) => candidate.id === id);
  assert.ok(row, `no row with id ${id}`);
  return row;
}

describe('countries', () => {
  it('keeps the contract ids 1 AF, 2 AL and 229 GB', () => {
    assert.deepEqual(pick(byId(countries, 1)), { iso: 'AF', name: 'Afghanistan' });
    assert.deepEqual(pick(byId(countries, 2)), { iso: 'AL', name: 'Albania' });
    assert.deepEqual(pick(byId(countries, 229)), { iso: 'GB', name: 'United Kingdom' });
    assert.equal(countries.find((c) => c.iso === 'US')?.name, 'United States');
  });

  it('has unique ids, alpha-2 and alpha-3 codes', () => {
    assertPositiveIntegerIds(countries);
    assertUnique(countries, (c) => c.iso, 'alpha-2');
    assertUnique(countries, (c) => c.iso3, 'alpha-3');
    for (const c of countries) {
      assert.match(c.iso, /^[A-Z]{2}$/);
      assert.match(c.iso3, /^[A-Z]{3}$/);
      assert.ok(c.name.trim().length > 0, `${c.iso} has no name`);
    }
  });

  it('covers every officially assigned ISO 3166-1 code, as a second package lists them', () => {
    // XK (Kosovo) is user-assigned, not part of ISO 3166-1.
    const official = Object.keys(isoCountries.getAlpha2Codes()).filter((code) => code !== 'XK');
    assert.deepEqual(countries.map((c) => c.iso).sort(), official.sort());
    assert.ok(countries.length >= 249);
    for (const c of countries) assert.equal(c.iso3, isoCountries.alpha2ToAlpha3(c.iso), c.iso);
  });

  it('gives every country a centroid within range', () => {
    for (const c of countries) {
      assert.ok(Number.isFinite(c.lat) && c.lat >= -90 && c.lat <= 90, `${c.iso} lat ${c.lat}`);
      assert.ok(Number.isFinite(c.lon) && c.lon >= -180 && c.lon <= 180, `${c.iso} lon ${c.lon}`);
    }
    const gb = countries.find((c) => c.iso === 'GB');
    assert.ok(gb && gb.lat > 49 && gb.lat < 61 && gb.lon > -9 && gb.lon < 2, 'GB centroid lies in Great Britain');
  });

  function pick(c: { iso: string; name: string }) {
    return { iso: c.iso, name: c.name };
  }
});

describe('currencies', () => {
  it('keeps the contract ids 1 USD, 2 EUR, 4 GBP, with JPY at 3', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((id) => byId(currencies, id).isoCode),
      ['USD', 'EUR', 'JPY', 'GBP'],
    );
  });

  it('shows GBP as £ and &#163;, USD as $ and &#36;', () => {
    const gbp = byId(currencies, 4);
    assert.equal(gbp.symbol, '£');
    assert.equal(gbp.unicode, '&#163;');
    const usd = byId(currencies, 1);
    assert.equal(usd.symbol, '$');
    assert.equal(usd.unicode, '&#36;');
  });

  it('has unique ids and codes, and entities that spell the symbol', () => {
    assertPositiveIntegerIds(currencies);
    assertUnique(currencies, (c) => c.isoCode, 'code');
    for (const c of currencies) {
      assert.match(c.isoCode, /^[A-Z]{3}$/);
      assert.ok(c.name.length > 0 && c.name === c.name.trim(), `${c.isoCode} name "${c.name}"`);
      assert.ok(c.symbol.length > 0, `${c.isoCode} has no symbol`);
      const decoded = c.unicode.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
      assert.equal(decoded, c.symbol, c.isoCode);
    }
  });

  it('lists every active ISO 4217 currency and none of the funds, metals or testing codes', () => {
    const listed = new Set(currencies.map((c) => c.isoCode));
    for (const code of currencyCodes.codes()) {
      assert.ok(listed.has(code) !== excludedCurrencyCodes.has(code), `${code} must be listed or excluded, not both`);
    }
    for (const code of ['XAU', 'XTS', 'XXX', 'XDR', 'CLF']) assert.ok(!listed.has(code), code);
  });

  it('falls back to the ISO code where currency-symbol-map knows no symbol', () => {
    for (const c of currencies) {
      assert.equal(c.symbol, getSymbolFromCurrency(c.isoCode) ?? c.isoCode, c.isoCode);
    }
  });
});

describe('job types', () => {
  it('keeps the contract order', () => {
    assert.deepEqual(jobTypes.map((t) => [t.id, t.handle]), [
      [1, 'perm_fulltime'],
      [2, 'perm_parttime'],
      [3, 'temp_fulltime'],
      [4, 'temp_parttime'],
      [5, 'contract_fulltime'],
      [6, 'contract_parttime'],
      [7, 'internship'],
      [8, 'apprenticeship'],
      [9, 'graduate'],
      [10, 'volunteer'],
      [11, 'freelance'],
      [12, 'seasonal'],
    ]);
    assert.equal(byId(jobTypes, 1).name, 'Permanent full-time');
    assert.equal(byId(jobTypes, 2).name, 'Permanent part-time');
  });
});

describe('categories', () => {
  const sectors = categories.filter((c) => c.parentId === 1);
  const sectorIds = new Set(sectors.map((s) => s.id));
  const roles = categories.filter((c) => c.parentId !== null && c.parentId !== 1);

  it('keeps the contract ids', () => {
    assert.deepEqual(byId(categories, 1), { id: 1, handle: 'root', name: 'All categories', parentId: null });
    assert.deepEqual(byId(categories, 2), { id: 2, handle: 'ACCOUNTANCY', name: 'Accountancy', parentId: 1 });
    assert.equal(byId(categories, 3).handle, 'ACCOUNTS_ADMIN');
    assert.equal(byId(categories, 3).parentId, 2);
    assert.equal(byId(categories, 4).handle, 'ACCOUNTS_ASSISTANT');
    assert.equal(byId(categories, 4).parentId, 2);
    assert.equal(categories.find((c) => c.handle === 'ACCOUNTS_MANAGER')?.parentId, 2);
    assert.deepEqual(byId(categories, 138), { id: 138, handle: 'MARKETING_PR', name: 'Marketing & PR', parentId: 1 });
    assert.equal(byId(categories, 604).handle, 'INTERNAL_COMMUNICATIONS');
    assert.equal(byId(categories, 604).parentId, 138);
  });

  it('has unique ids and unique UPPER_SNAKE_CASE handles', () => {
    assertPositiveIntegerIds(categories);
    assertUnique(categories, (c) => c.handle, 'handle');
    for (const c of categories) {
      if (c.id !== 1) assert.match(c.handle, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, c.handle);
      assert.ok(c.name.trim().length > 0, `${c.handle} has no name`);
    }
  });

  it('is two levels deep: one root, sectors under it, roles under a sector', () => {
    assert.deepEqual(categories.filter((c) => c.parentId === null).map((c) => c.id), [1]);
    assert.ok(sectors.length >= 25, `${sectors.length} sectors`);
    assert.ok(roles.length >= 300, `${roles.length} roles`);
    for (const role of roles) assert.ok(sectorIds.has(role.parentId ?? 0), `${role.handle}'s parent is not a sector`);
    for (const sector of sectors) {
      assert.ok(roles.some((r) => r.parentId === sector.id), `${sector.handle} has no roles`);
    }
  });

  it('keeps each role below 600 inside its sector block of 17 ids', () => {
    for (const role of roles.filter((r) => r.id < 600)) {
      const parentId = role.parentId ?? 0;
      assert.ok(role.id > parentId && role.id < parentId + 17, `${role.handle} (${role.id}) is outside the block of sector ${parentId}`);
    }
  });
});

describe('salary frequencies', () => {
  it('keeps the contract ids and periods per year', () => {
    assert.deepEqual(salaryFrequencies.map((f) => [f.id, f.handle, f.perYear]), [
      [1, 'HOURLY', 2080],
      [2, 'DAILY', 260],
      [3, 'WEEKLY', 52],
      [4, 'FORTNIGHTLY', 26],
      [5, '4WEEKLY', 13],
      [6, 'MONTHLY', 12],
      [7, 'ANNUALLY', 1],
    ]);
    assert.equal(byId(salaryFrequencies, 5).name, 'Every four weeks');
    assert.equal(annualMultiplier.HOURLY, 2080);
    assert.equal(annualMultiplier['4WEEKLY'], 13);
  });
});

describe('apply types', () => {
  it('keeps the contract ids', () => {
    assert.deepEqual(applyTypes.map((a) => [a.id, a.handle]), [
      [1, 'REDIRECT'],
      [2, 'SIGNUP'],
      [3, 'SIGNUP_WITHPOST'],
      [4, 'EMAIL'],
    ]);
    assert.equal(byId(applyTypes, 1).name, "Redirect to the employer's site");
  });
});

describe('languages', () => {
  it('puts English first and every other ISO 639-1 code after it', () => {
    assert.deepEqual(byId(languages, 1), { id: 1, isoCode: 'en', name: 'English' });
    assertPositiveIntegerIds(languages);
    assertUnique(languages, (l) => l.isoCode, 'code');
    assert.deepEqual(languages.map((l) => l.isoCode).sort(), [...ISO6391.getAllCodes()].sort());
  });
});
