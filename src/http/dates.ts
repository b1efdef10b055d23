import { DateTime } from 'luxon';

/** The contract's date object: one instant in UTC and in the reader's zone. */
export interface DateObject {
  utc: string;
  converted: string;
  formatted: string;
}

/*
 * Every job shows five dates, so presenting them is on the hot path of each
 * list page. Instead of building luxon DateTimes per call, the zone's offset
 * comes from one cached Intl formatter per zone and the strings are written
 * by hand, step for step as luxon computes them (its IANAZone.offset, tsToObj
 * and formatOffset), so the output is the same byte for byte;
 * test/http/dates.test.ts compares the two. What the fast path does not
 * recognise (an unusual instant or zone string) is left to luxon.
 */

const ISO_WITH_OFFSET = "yyyy-MM-dd'T'HH:mm:ssZZ";
const FORMATTED = 'd LLL yyyy HH:mm:ss';

function presentWithLuxon(instant: string, zone: string): DateObject {
  const utc = DateTime.fromISO(instant, { zone: 'utc' });
  const local = utc.setZone(zone);
  return {
    utc: utc.toFormat(ISO_WITH_OFFSET),
    converted: local.toFormat(ISO_WITH_OFFSET),
    formatted: local.toFormat(FORMATTED, { locale: 'en-GB' }),
  };
}

/** Short month names as luxon prints LLL in en-GB ("Sept", not "Sep"), from the same Intl data. */
const MONTHS = Array.from({ length: 12 }, (_, month) => {
  const parts = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }).formatToParts(Date.UTC(2000, month, 15));
  return parts.find((part) => part.type === 'month')?.value ?? '';
});

/** As stored: Date#toISOString, or the same without milliseconds. */
const STORED_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z$/;
/** luxon reads these zone names itself (the system zone, fixed offsets such as "UTC+3"). */
const LUXON_ONLY_ZONE = /^(?:default|local|system|utc[+-]\d{1,2}(?::\d{2})?)$/i;
/** "11/28/2026 AD, 09:00:00" from the formatter below. */
const WALL_CLOCK = /^(\d+)\/(\d+)\/(\d+) (AD|BC),? (\d+):(\d+):(\d+)$/;

/** The zone's offset in minutes at an instant (luxon's IANAZone.offset), or null when luxon should decide. */
type OffsetAt = ((ms: number) => number) | null;

function offsetFinder(zone: string): OffsetAt {
  const lowered = zone.toLowerCase();
  if (lowered === 'utc' || lowered === 'gmt') return () => 0;
  if (LUXON_ONLY_ZONE.test(lowered)) return null;
  let wallClock: Intl.DateTimeFormat;
  try {
    wallClock = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  } catch {
    return null; // not a zone: luxon prints its "Invalid DateTime"
  }
  return (ms) => {
    // format and a regular expression cost a quarter of formatToParts
    const match = WALL_CLOCK.exec(wallClock.format(ms));
    if (!match) return NaN;
    const [, month, day, year, era, hour, minute, second] = match as unknown as string[];
    const fullYear = era === 'BC' ? 1 - Number(year) : Number(year);
    let asUtc = Date.UTC(fullYear, Number(month) - 1, Number(day), Number(hour) % 24, Number(minute), Number(second));
    // Date.UTC reads years 0 to 99 as 1900 to 1999
    if (fullYear >= 0 && fullYear < 100) asUtc = new Date(asUtc).setUTCFullYear(fullYear, Number(month) - 1, Number(day));
    const over = ms % 1000;
    const wholeSeconds = ms - (over >= 0 ? over : 1000 + over);
    return (asUtc - wholeSeconds) / (60 * 1000);
  };
}

/** luxon's padStart, negative years included. */
function pad(value: number, length: number): string {
  return value < 0 ? `-${String(-value).padStart(length, '0')}` : String(value).padStart(length, '0');
}

/** luxon's "ZZ": +HH:mm, hours and minutes truncated. */
function formatOffset(offset: number): string {
  const hours = Math.trunc(Math.abs(offset / 60));
  const minutes = Math.trunc(Math.abs(offset % 60));
  return `${offset >= 0 ? '+' : '-'}${pad(hours, 2)}:${pad(minutes, 2)}`;
}

function presentFast(instant: string, offsetAt: (ms: number) => number): DateObject | null {
  if (!STORED_INSTANT.test(instant)) return null;
  const ms = Date.parse(instant);
  // V8 reads 30 February as 2 March and 24:00 as the next day; luxon calls both invalid.
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(instant.slice(8, 10))) return null;
  const offset = offsetAt(ms);
  if (Number.isNaN(offset)) return null;
  const local = new Date(ms + offset * 60 * 1000);
  const year = pad(local.getUTCFullYear(), 4);
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  return {
    utc: `${instant.slice(0, 19)}+00:00`,
    converted: `${year}-${pad(month + 1, 2)}-${pad(day, 2)}T${time}${formatOffset(offset)}`,
    formatted: `${day} ${MONTHS[month]} ${year} ${time}`,
  };
}

/** One entry per zone in use; zones are checked against the IANA list before they are stored. */
const offsetsByZone = new Map<string, OffsetAt>();

function offsetAtFor(zone: string): OffsetAt {
  let offsetAt = offsetsByZone.get(zone);
  if (offsetAt === undefined) {
    offsetAt = offsetFinder(zone);
    offsetsByZone.set(zone, offsetAt);
  }
  return offsetAt;
}

/*
 * The same instants come back often (open and close dates are midnights, a
 * new job's updated_at is its created_at, a list's first page is read again
 * and again), so a bounded memo answers most of them; about 3 MB when full.
 * Its objects are shared between responses, hence frozen.
 */
const RECENT_LIMIT = 10_000;
const recent = new Map<string, DateObject>();

export function presentDate(instant: string, zone: string): DateObject {
  const offsetAt = offsetAtFor(zone);
  if (offsetAt === null) return presentWithLuxon(instant, zone);
  const key = `${zone} ${instant}`;
  let presented = recent.get(key);
  if (presented === undefined) {
    presented = Object.freeze(presentFast(instant, offsetAt) ?? presentWithLuxon(instant, zone));
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(key, presented);
  }
  return presented;
}

export function presentOptionalDate(instant: string | null, zone: string): DateObject | null {
  return instant === null ? null : presentDate(instant, zone);
}

/** A stored calendar date (YYYY-MM-DD) is midnight UTC that day. */
export function dateToInstant(date: string): string {
  return `${date}T00:00:00.000Z`;
}
