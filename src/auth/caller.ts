import { AppError } from '../errors.ts';

/**
 * Who is making an authenticated /api request. A vendor token acts for one
 * user through one client; a board token is the client alone, reading the
 * live jobs of its sites.
 */
export type Caller = VendorCaller | BoardCaller;

export interface VendorCaller {
  readonly kind: 'vendor';
  readonly userId: number;
  readonly apiClientId: number;
  readonly timezone: string;
  readonly organisations: readonly { id: number; handle: string; name: string }[];
  /** Sites the client may post to. */
  readonly siteIds: readonly number[];
}

export interface BoardCaller {
  readonly kind: 'board';
  readonly apiClientId: number;
  readonly timezone: string;
  /** Sites whose live jobs the board shows. */
  readonly siteIds: readonly number[];
}

/** What a read made as a caller found, with the auth generation its statement saw (none when it matched no row). */
export interface ReadAsOf<T> {
  readonly value: T;
  readonly generation: number | undefined;
}

/** Writes are for vendors; a board client only reads. */
export function requireVendor(caller: Caller): VendorCaller {
  if (caller.kind !== 'vendor') throw new AppError('forbidden', 'A board client may only read jobs.');
  return caller;
}
