import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { FullTextEngine } from './engine.ts';
import type { Caller } from '../auth/caller.ts';
import { AppError } from '../errors.ts';
import { listedJobConditions, listedStatus, scopeOf } from '../tenancy/visibility.ts';
import { distanceKm, type Coordinates } from '../geo/gazetteer.ts';
import { prefixUpperBound, titleKey } from './title-key.ts';
import { WORD } from './text-query.ts';
import { Latitude, Longitude } from '../http/primitives.ts';

const DEFAULT_SUGGESTIONS = 10;

export const SuggestQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 100, description: 'The start of a job title' }),
  lat: Type.Optional(Latitude),
  lon: Type.Optional(Longitude),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 25, default: DEFAULT_SUGGESTIONS })),
});
export type SuggestQuery = Static<typeof SuggestQuery>;

export const SuggestResponse = Type.Object({
  data: Type.Array(Type.Object({ text: Type.String(), count: Type.Integer(), id: Type.Integer() })),
});

/** Distances within this many km count as equally near, so frequency decides among them. */
const NEAR_BAND_KM = 50;

/**
 * Suggestions come from at most this many of the newest jobs whose titles
 * start with the prefix: a two-letter prefix starts a tenth of a large
 * board's titles, and counting them all would cost far more than the
 * keystroke it answers. Counts are therefore of recent jobs.
 */
export const SUGGEST_WINDOW = 1_000;

interface TitleRow {
  id: number;
  title_key: string;
  geo_lat: number;
  geo_lon: number;
}

interface TitleTally {
  key: string;
  count: number;
  newestId: number;
  nearestKm: number | null;
}

function tally(rows: readonly TitleRow[], point: Coordinates | null): TitleTally[] {
  const byKey = new Map<string, TitleTally>();
  for (const row of rows) {
    const km = point ? distanceKm(point, { lat: Number(row.geo_lat), lon: Number(row.geo_lon) }) : null;
    const seen = byKey.get(row.title_key);
    if (!seen) {
      byKey.set(row.title_key, { key: row.title_key, count: 1, newestId: Number(row.id), nearestKm: km });
      continue;
    }
    seen.count += 1;
    seen.newestId = Math.max(seen.newestId, Number(row.id));
    if (km !== null && (seen.nearestKm === null || km < seen.nearestKm)) seen.nearestKm = km;
  }
  return [...byKey.values()];
}

const nearBand = (tally: TitleTally) => (tally.nearestKm === null ? 0 : Math.floor(tally.nearestKm / NEAR_BAND_KM));

const bySuggestionOrder = (a: TitleTally, b: TitleTally) =>
  nearBand(a) - nearBand(b) || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/*
 * Distinct job titles that start with the prefix, from the jobs the caller
 * may see (the newest SUGGEST_WINDOW of them): nearer first (in bands of
 * 50 km) when a point is given, then more frequent, then alphabetical; each
 * with the title and id of its newest job.
 */
export async function suggestTitles(db: Executor, engine: FullTextEngine, caller: Caller, query: SuggestQuery, today: string) {
  const prefix = titleKey(query.q);
  const words = prefix.match(WORD) ?? [];
  if (words.length === 0) throw new AppError('bad_request', 'q must contain a letter or digit.');
  if ((query.lat === undefined) !== (query.lon === undefined)) throw new AppError('bad_request', 'Give both lat and lon.');
  const match = engine.matchTitleWords(words, /[\p{L}\p{N}]$/u.test(prefix));
  const conditions = [
    ...listedJobConditions(scopeOf(caller), listedStatus(caller, undefined), today),
    sql`jobs.title_key >= ${prefix}`,
    sql`jobs.title_key < ${prefixUpperBound(prefix)}`,
  ];
  if (match.condition) conditions.push(match.condition);
  const point = query.lat === undefined || query.lon === undefined ? null : { lat: query.lat, lon: query.lon };
  const order = match.newestFirst ? sql`order by ${match.newestFirst}` : sql``;
  const found = await sql<TitleRow>`
    select jobs.id, jobs.title_key, jobs.geo_lat, jobs.geo_lon from ${match.from}
    where ${sql.join(conditions, sql` and `)} ${order} limit ${SUGGEST_WINDOW}`.execute(db);
  const best = tally(found.rows, point).sort(bySuggestionOrder).slice(0, query.size ?? DEFAULT_SUGGESTIONS);
  const titles = await findTitles(db, best.map((t) => t.newestId));
  return best.map((t) => ({ text: titles.get(t.newestId) ?? t.key, count: t.count, id: t.newestId }));
}

async function findTitles(db: Executor, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('jobs').select(['id', 'title']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [Number(row.id), row.title]));
}
