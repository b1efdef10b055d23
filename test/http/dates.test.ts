import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { dateToInstant, presentDate } from '../../src/http/dates.ts';

/* presentDate writes the date object by hand for speed; luxon, which it replaced, is the reference. */
function presentWithLuxon(instant: string, zone: string) {
  const utc = DateTime.fromISO(instant, { zone: 'utc' });
  const local = utc.setZone(zone);
  return {
    utc: utc.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
    converted: local.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
    formatted: local.toFormat('d LLL yyyy HH:mm:ss', { locale: 'en-GB' }),
  };
}

const ZONES = [
  'UTC', 'utc', 'GMT', 'Etc/UTC', 'Etc/GMT+12', 'Etc/GMT-14',
  'Europe/London', 'Europe/Dublin', 'America/New_York', 'America/St_Johns', 'America/Sao_Paulo',
  'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe', 'Pacific/Kiritimati',
  'Pacific/Pago_Pago', 'Africa/Casablanca', 'Antarctica/Troll',
];

const iso = (ms: number) => new Date(ms).toISOString();

function assertSameAsLuxon(instant: string, zone: string) {
  const expected = presentWithLuxon(instant, zone);
  assert.deepEqual({ ...presentDate(instant, zone) }, expected, `${instant} in ${zone}`);
  assert.deepEqual({ ...presentDate(instant, zone) }, expected, `${instant} in ${zone}, asked again`);
}

/** The instants at which the zone's offset changes, found by luxon, day by day then to the millisecond. */
function transitions(zone: string, fromYear: number, toYear: number): number[] {
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const found: number[] = [];
  const day = 86_400_000;
  for (let ms = Date.UTC(fromYear, 0, 1); ms < Date.UTC(toYear, 0, 1); ms += day) {
    if (offsetAt(ms) === offsetAt(ms + day)) continue;
    let [low, high] = [ms, ms + day];
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (offsetAt(middle) === offsetAt(low)) low = middle;
      else high = middle;
    }
    found.push(high);
  }
  return found;
}

describe('date objects', () => {
  it('print the contract example', () => {
    assert.deepEqual({ ...presentDate('2017-04-27T00:00:00.000Z', 'America/New_York') }, {
      utc: '2017-04-27T00:00:00+00:00',
      converted: '2017-04-26T20:00:00-04:00',
      formatted: '26 Apr 2017 20:00:00',
    });
    assert.equal(presentDate('2026-09-01T00:00:00.000Z', 'Europe/London').formatted, '1 Sept 2026 01:00:00');
  });

  for (const zone of ZONES) {
    it(`match luxon around every offset change from 2019 to 2031 in ${zone}`, () => {
      const seconds = [-7200, -3601, -3600, -3599, -1800, -61, -60, -1, 0, 1, 59, 60, 1800, 3599, 3600, 3601, 7200];
      for (const change of transitions(zone, 2019, 2031)) {
        for (const second of seconds) {
          assertSameAsLuxon(iso(change + second * 1000), zone);
          assertSameAsLuxon(iso(change + second * 1000 + 999), zone);
        }
      }
    });

    it(`match luxon at midnights, at random instants from 1800 to 2200, and in odd years in ${zone}`, () => {
      for (let day = 0; day < 800; day++) assertSameAsLuxon(dateToInstant(iso(Date.UTC(2024, 0, 1 + day)).slice(0, 10)), zone);
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const [from, to] = [Date.UTC(1800, 0, 1), Date.UTC(2200, 0, 1)];
      for (let i = 0; i < 1000; i++) assertSameAsLuxon(iso(Math.floor(from + random() * (to - from))), zone);
      for (const instant of ['1847-12-01T00:01:14.000Z', '1847-12-01T00:01:15.000Z', '1883-11-18T17:00:00.000Z',
        '1900-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '0050-03-01T12:00:00.000Z',
        '0099-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z']) {
        assertSameAsLuxon(instant, zone);
      }
    });
  }

  it('match luxon for instants written otherwise, impossible dates and unknown zones', () => {
    const instants = ['2026-11-28T09:00:00Z', '2026-11-28T09:00:00.5Z', '2026-11-28T09:00:00+01:00', '2026-11-28',
      '2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', 'not a date', ''];
    for (const zone of ['Europe/London', 'UTC', 'UTC+3', 'utc-05:30', 'Mars/Olympus_Mons', '']) {
      for (const instant of instants) assertSameAsLuxon(instant, zone);
    }
  });
});
