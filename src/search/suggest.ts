import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { Caller } from '../auth/caller.ts';
import { callerOrganisationIds } from '../auth/caller.ts';
import { AppError } from '../errors.ts';
import { distanceKm, statusConditions, visibility } from './repository.ts';
import { prefixUpperBound, titleKey } from './title-key.ts';

export const SuggestQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 100, description: 'The start of a job title' }),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 25, default: 10 })),
});
export type SuggestQuery = Static<typeof SuggestQuery>;

export const SuggestResponse = Type.Object({
  data: Type.Array(Type.Object({ text: Type.String(), count: Type.Integer(), id: Type.Integer() })),
});

/** Distances within this many km count as equally near, so frequency decides among them. */
const NEAR_BAND_KM = 50;

/*
 * Distinct job titles that start with the prefix, from the jobs the caller
 * may see: nearer first (in bands of 50 km) when a point is given, then more
 * frequent, then alphabetical; each with the id of its newest job.
 */
export async function suggestTitles(db: Executor, caller: Caller, query: SuggestQuery, today: string) {
  const prefix = titleKey(query.q);
  if (prefix === '') throw new AppError('bad_request', 'q must contain a letter or digit.');
  if ((query.lat === undefined) !== (query.lon === undefined)) throw new AppError('bad_request', 'Give both lat and lon.');
  const visibleTo = caller.kind === 'vendor' ? { organisationIds: callerOrganisationIds(caller) } : { siteIds: caller.siteIds };
  const status = caller.kind === 'vendor' ? 'any' : 'live';
  const conditions = [
    sql`jobs.deleted_at is null`,
    visibility(visibleTo),
    ...statusConditions(status, today),
    sql`jobs.title_key >= ${prefix}`,
    sql`jobs.title_key < ${prefixUpperBound(prefix)}`,
  ];
  const nearness =
    query.lat === undefined || query.lon === undefined
      ? sql`0`
      : sql`floor(min(${distanceKm(query.lat, query.lon)}) / ${NEAR_BAND_KM})`;
  const result = await sql<{ text: string; count: number | string; id: number; near: number }>`
    select min(jobs.title) as text, count(*) as count, max(jobs.id) as id, ${nearness} as near
    from jobs where ${sql.join(conditions, sql` and `)}
    group by jobs.title_key
    order by 4 asc, 2 desc, jobs.title_key asc
    limit ${query.size ?? 10}`.execute(db);
  return result.rows.map((row) => ({ text: row.text, count: Number(row.count), id: Number(row.id) }));
}
