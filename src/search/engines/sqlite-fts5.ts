import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { FullTextEngine, Near, TextMatch } from '../engine.ts';
import type { TextQuery } from '../text-query.ts';
import { boxAround, cellsCovering, cellWordsSql } from '../geo-box.ts';

/*
 * SQLite FTS5. `jobs_fts` holds every searchable field, Porter-stemmed, with
 * bm25 weights favouring the title; every word of a query is matched whole
 * there. The last word, perhaps half-typed, also matches as the start of a
 * word of a title or skills: stemming defeats a prefix longer than its stem
 * ("digita" is not a prefix of the stem "digit"), so `jobs_fts_prefix` keeps
 * titles and skills unstemmed for it. (A prefix over the stemmed table would
 * also cost a scan of every word it starts.) Both are
 * contentless: they store the index, not a second copy of the text. Both
 * hold each job's grid cells too, so a search near a point is narrowed
 * inside the index.
 */

const quoted = (word: string) => `"${word.replace(/"/g, '""')}"`;

/** Every word (stemmed by the tokenizer) and phrase of the query, the last word whole. */
function expression(text: TextQuery): string {
  const words = text.prefix === null ? text.words : [...text.words, text.prefix];
  return [...words.map(quoted), ...text.phrases.map((phrase) => quoted(phrase.join(' ')))].join(' AND ');
}

/** The keywords, searched in the text columns only, and the cells near the point, if any. */
function inColumns(columns: string, keywords: string, cells: readonly string[] | null): string {
  const text = `{${columns}} : (${keywords})`;
  return cells ? `${text} AND cells : (${cells.map(quoted).join(' OR ')})` : text;
}

const TEXT_COLUMNS = 'title summary description skills reference organisation';

/* Column weights for bm25: title, summary, description, skills, reference, organisation, cells (none). */
const RANK = sql`bm25(jobs_fts, 10.0, 3.0, 1.0, 4.0, 6.0, 3.0, 0.0)`;

const INDEXED_JOBS = sql`
  select jobs.id, jobs.title, jobs.summary, jobs.description, coalesce(jobs.skills, ''), jobs.reference, organisations.name, ${cellWordsSql()}
  from jobs join organisations on organisations.id = jobs.organisation_id
  where jobs.deleted_at is null`;

const PREFIX_INDEXED_JOBS = sql`
  select jobs.id, jobs.title, coalesce(jobs.skills, ''), ${cellWordsSql()} from jobs where jobs.deleted_at is null`;

export const sqliteFullText: FullTextEngine = {
  async indexJobs(db: Executor, jobIds: readonly number[]) {
    if (jobIds.length === 0) return;
    const ids = sql.join(jobIds.map((id) => sql`${id}`));
    await sql`delete from jobs_fts where rowid in (${ids})`.execute(db);
    await sql`delete from jobs_fts_prefix where rowid in (${ids})`.execute(db);
    await sql`insert into jobs_fts (rowid, title, summary, description, skills, reference, organisation, cells)
      ${INDEXED_JOBS} and jobs.id in (${ids})`.execute(db);
    await sql`insert into jobs_fts_prefix (rowid, title, skills, cells) ${PREFIX_INDEXED_JOBS} and jobs.id in (${ids})`.execute(db);
  },

  async rebuildIndex(db: Executor) {
    await sql`delete from jobs_fts`.execute(db);
    await sql`delete from jobs_fts_prefix`.execute(db);
    await sql`insert into jobs_fts (rowid, title, summary, description, skills, reference, organisation, cells) ${INDEXED_JOBS}`.execute(db);
    await sql`insert into jobs_fts_prefix (rowid, title, skills, cells) ${PREFIX_INDEXED_JOBS}`.execute(db);
  },

  matchHits(text: TextQuery, near: Near | null, ranked: boolean) {
    const cells = near ? cellsCovering(boxAround(near.lat, near.lon, near.radiusKm)) : null;
    const stemmed = sql`select rowid as text_hit_id, ${ranked ? sql`-${RANK}` : sql`0`} as text_rank
      from jobs_fts where jobs_fts match ${inColumns(TEXT_COLUMNS, expression(text), cells)}`;
    const prefixOnly = text.prefix === null ? null : prefixHits(text, text.prefix, cells);
    // FTS5 lists matches in descending rowid order without sorting when asked; two such lists merge as they stream.
    return prefixOnly ? sql`${stemmed} union all ${prefixOnly} order by 1 desc` : sql`${stemmed} order by 1 desc`;
  },

  matchTitleWords,
};

/** Titles starting with the words (FTS5's ^ holds a phrase to the start of the column), the last perhaps a prefix. */
function matchTitleWords(words: readonly string[], lastIsPrefix: boolean): TextMatch {
  const phrase = `^ ${quoted(words.join(' '))}${lastIsPrefix ? '*' : ''}`;
  return {
    from: sql`(select rowid as title_hit_id from jobs_fts_prefix where jobs_fts_prefix match ${`{title} : ${phrase}`}
        order by rowid desc limit -1) as title_hits
      join jobs indexed by jobs_search_facts_idx on jobs.id = title_hits.title_hit_id`,
    condition: null,
    rank: sql<number>`0`,
    newestFirst: null,
  };
}

/**
 * Jobs whose unstemmed title or skills have a word starting with the last
 * word and that match the rest of the query, ranked last. A job with the
 * last word whole is left out: the stemmed query finds it already, with a
 * rank, and listing it twice would spend the window on repeats.
 */
function prefixHits(text: TextQuery, prefix: string, cells: readonly string[] | null): RawBuilder<unknown> {
  const rest = expression({ ...text, prefix: null });
  // `+rowid`: a plain rowid IN would make FTS5 run the prefix query once per listed id.
  const restHits =
    rest === '' ? sql`` : sql` and +rowid in (select rowid from jobs_fts where jobs_fts match ${inColumns(TEXT_COLUMNS, rest, null)})`;
  const match = inColumns('title skills', `${quoted(prefix)}* NOT ${quoted(prefix)}`, cells);
  return sql`select rowid, 0 from jobs_fts_prefix where jobs_fts_prefix match ${match}${restHits}`;
}
