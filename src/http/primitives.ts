import { Type } from '@sinclair/typebox';

/*
 * Bounds and shapes that several schemas share: query strings here, the
 * job field table (src/jobs/schema.ts) with its own rule builders. Plain
 * numbers are exported for the field table; TypeBox schemas for the rest.
 */

export const LATITUDE_BOUNDS = { minimum: -90, maximum: 90 } as const;
export const LONGITUDE_BOUNDS = { minimum: -180, maximum: 180 } as const;
/** Salaries and salary filters, in whole currency units. */
export const MONEY_BOUNDS = { minimum: 0, maximum: 1_000_000_000 } as const;
/** A look-up's or tenant's id, or its handle. */
export const MAX_ID_OR_HANDLE_LENGTH = 64;

export const MAX_PAGE_NUMBER = 1_000_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export const Latitude = Type.Number(LATITUDE_BOUNDS);
export const Longitude = Type.Number(LONGITUDE_BOUNDS);
export const Money = Type.Number(MONEY_BOUNDS);
export const IdOrHandle = Type.String({ minLength: 1, maxLength: MAX_ID_OR_HANDLE_LENGTH });
/** An ISO 4217 code, in either case. */
export const CurrencyCode = Type.String({ pattern: '^[A-Za-z]{3}$' });
/** `YYYY-MM-DD`. */
export const CalendarDate = Type.String({ format: 'date' });
