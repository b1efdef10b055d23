import type { Db } from '../db/types.ts';
import { findOrganisationByHandle } from '../tenancy/repository.ts';
import { TenancyError } from '../tenancy/service.ts';
import { listAuditEntries } from './repository.ts';

/* What `jobspace audit` reads and prints. */

export interface AuditListing {
  /** An organisation's handle: its entries only. */
  readonly organisation?: string;
  /** A day or an ISO time: entries at or after it. */
  readonly since?: string;
  readonly limit: number;
}

export type AuditRow = Awaited<ReturnType<typeof listAuditEntries>>[number];

export async function readAuditTrail(db: Db, listing: AuditListing): Promise<AuditRow[]> {
  const organisationId = listing.organisation === undefined ? undefined : await organisationIdOf(db, listing.organisation);
  const since = listing.since === undefined ? undefined : new Date(listing.since).toISOString();
  return listAuditEntries(db, { organisationId, since, limit: listing.limit });
}

async function organisationIdOf(db: Db, handle: string): Promise<number> {
  const organisation = await findOrganisationByHandle(db, handle);
  if (!organisation) throw new TenancyError(`no organisation has handle "${handle}"`);
  return organisation.id;
}

const orDash = (value: number | string | null) => (value === null ? '-' : String(value));

/** One line per entry: the time, the action and its target, then who. */
export function auditLine(row: AuditRow): string {
  return [
    row.at,
    row.action,
    `${row.target_type}=${row.target_id}`,
    `org=${orDash(row.organisation_id)}`,
    `client=${orDash(row.api_client_id)}`,
    `user=${orDash(row.user_id)}`,
    `request=${orDash(row.request_id)}`,
    `source=${row.source}`,
  ].join(' ');
}
