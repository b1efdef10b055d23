import type { Executor, Tx } from '../db/types.ts';
import type { NewJob } from '../jobs/repository.ts';

/* The SQL of bulk seeding: who the fake jobs belong to, and multi-row inserts. */

export function findFirstOrganisation(db: Executor) {
  return db.selectFrom('organisations').select(['id', 'handle', 'name']).orderBy('id').limit(1).executeTakeFirst();
}

/** The member who "posted" the jobs: the organisation's first user. */
export async function findFirstMemberId(db: Executor, organisationId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .orderBy('user_id')
    .limit(1)
    .executeTakeFirst();
  return row?.user_id;
}

/** The client the jobs came through: the first vendor client still in use, with the sites it may post to. */
export async function findFirstVendorClient(db: Executor): Promise<{ id: number; siteIds: number[] } | undefined> {
  const client = await db
    .selectFrom('api_clients')
    .select('id')
    .where('kind', '=', 'vendor')
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!client) return undefined;
  const sites = await db.selectFrom('api_client_sites').select('site_id').where('api_client_id', '=', client.id).orderBy('site_id').execute();
  return { id: client.id, siteIds: sites.map((site) => site.site_id) };
}

/**
 * Inserts the jobs a statement-full at a time (`maxParameters`, the store's limit of bound
 * parameters), and their sites; returns their ids in no particular order.
 */
export async function insertJobRows(tx: Tx, maxParameters: number, jobs: readonly NewJob[], siteIds: readonly number[]): Promise<number[]> {
  const first = jobs[0];
  if (!first) return [];
  const perStatement = Math.floor(maxParameters / Object.keys(first).length);
  const ids: number[] = [];
  for (let start = 0; start < jobs.length; start += perStatement) {
    const rows = await tx.insertInto('jobs').values(jobs.slice(start, start + perStatement)).returning('id').execute();
    for (const row of rows) ids.push(row.id);
  }
  // Two columns a row: far below the limit for any batch this size.
  const perSitesStatement = Math.floor(maxParameters / 2);
  const jobSites = ids.flatMap((jobId) => siteIds.map((siteId) => ({ job_id: jobId, site_id: siteId })));
  for (let start = 0; start < jobSites.length; start += perSitesStatement) {
    await tx.insertInto('job_sites').values(jobSites.slice(start, start + perSitesStatement)).execute();
  }
  return ids;
}
