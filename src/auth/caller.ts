/** Who is making an authenticated /api request: one user through one client. */
export interface Caller {
  readonly userId: number;
  readonly apiClientId: number;
  readonly timezone: string;
  readonly organisations: readonly { id: number; handle: string; name: string }[];
  /** Sites the client may post to. */
  readonly siteIds: readonly number[];
}

export function callerOrganisationIds(caller: Caller): number[] {
  return caller.organisations.map((organisation) => organisation.id);
}
