import { type SqlBool, sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { FullTextEngine, Near } from '../engine.ts';
import { boxAround, boxConditions } from '../geo-box.ts';
import type { TextQuery } from '../text-query.ts';

/*
 * PostgreSQL full text: `jobs.search_vector` is a weighted tsvector (title A;
 * reference, skills and organisation B; summary C; description D) under a GIN
 * index, and `jobs.prefix_vector` keeps titles and skills unstemmed for the
 * last, half-typed word, as the SQLite engine does.
 */

function tsquery(words: readonly string[], phrases: readonly (readonly string[])[]): string {
  return [...words, ...phrases.map((phrase) => `(${phrase.join(' <-> ')})`)].join(' & ');
}

const VECTORS = sql`
  search_vector =
    setweight(to_tsvector('english', jobs.title), 'A') ||
    setweight(to_tsvector('english', jobs.reference || ' ' || coalesce(jobs.skills, '') || ' ' || organisations.name), 'B') ||
    setweight(to_tsvector('english', jobs.summary), 'C') ||
    setweight(to_tsvector('english', jobs.description), 'D'),
  prefix_vector = to_tsvector('simple', jobs.title || ' ' || coalesce(jobs.skills, ''))`;

export const postgresFullText: FullTextEngine = {
  async indexJobs(db: Executor, jobIds: readonly number[]) {
    if (jobIds.length === 0) return;
    const ids = sql.join(jobIds.map((id) => sql`${id}`));
    await sql`update jobs set ${VECTORS} from organisations
      where organisations.id = jobs.organisation_id and jobs.id in (${ids})`.execute(db);
  },

  async rebuildIndex(db: Executor) {
    await sql`update jobs set ${VECTORS} from organisations where organisations.id = jobs.organisation_id`.execute(db);
  },

  matchHits(text: TextQuery, near: Near | null, ranked: boolean) {
    // Every word whole and stemmed; the last also as the start of a word of a title or skills, unstemmed.
    const whole = text.prefix === null ? text.words : [...text.words, text.prefix];
    const full = sql`to_tsquery('english', ${tsquery(whole, text.phrases)})`;
    const rest = tsquery(text.words, text.phrases);
    const restHits = rest === '' ? sql`true` : sql`jobs.search_vector @@ to_tsquery('english', ${rest})`;
    const prefixHits = sql`jobs.prefix_vector @@ to_tsquery('simple', ${`${text.prefix}:*`})`;
    const condition =
      text.prefix === null
        ? sql<SqlBool>`jobs.search_vector @@ ${full}`
        : sql<SqlBool>`(jobs.search_vector @@ ${full} or (${prefixHits} and ${restHits}))`;
    // Deleted jobs keep no vector worth ranking; leaving them out here spares reading them.
    const rank = ranked ? sql`ts_rank(jobs.search_vector, ${full})` : sql`0`;
    // Near a point, the box too: the geo index narrows the matches with the GIN index, and few are ranked.
    const box = near ? sql` and ${sql.join(boxConditions(boxAround(near.lat, near.lon, near.radiusKm)), sql` and `)}` : sql``;
    return sql`select jobs.id as text_hit_id, ${rank} as text_rank
      from jobs where ${condition} and jobs.deleted_at is null${box} order by jobs.id desc`;
  },

  matchTitleWords() {
    // The caller's title range (jobs_title_suggest_idx) is narrower than any word match here,
    // and read from the index alone; a word match would add a scan of the GIN index.
    return { from: sql`jobs`, condition: null, rank: sql<number>`0`, newestFirst: sql`jobs.id desc` };
  },
};