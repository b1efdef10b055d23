import { DateTime } from 'luxon';

/** The contract's date object: one instant in UTC and in the reader's zone. */
export interface DateObject {
  utc: string;
  converted: string;
  formatted: string;
}

const ISO_WITH_OFFSET = "yyyy-MM-dd'T'HH:mm:ssZZ";

export function presentDate(instant: string, zone: string): DateObject {
  const utc = DateTime.fromISO(instant, { zone: 'utc' });
  const local = utc.setZone(zone);
  return {
    utc: utc.toFormat(ISO_WITH_OFFSET),
    converted: local.toFormat(ISO_WITH_OFFSET),
    formatted: local.toFormat('d LLL yyyy HH:mm:ss', { locale: 'en-GB' }),
  };
}

export function presentOptionalDate(instant: string | null, zone: string): DateObject | null {
  return instant === null ? null : presentDate(instant, zone);
}

/** A stored calendar date (YYYY-MM-DD) is midnight UTC that day. */
export function dateToInstant(date: string): string {
  return `${date}T00:00:00.000Z`;
}
