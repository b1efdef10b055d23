import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { FullTextEngine } from '../engine.ts';
import type { TextQuery } from '../text-query.ts';

/*
 * SQLite FTS5. `jobs_fts` holds every searchable field, Porter-stemmed, with
 * bm25 weights favouring the title. Stemming defeats a prefix longer than its
 * stem ("digita" is not a prefix of the stem "digit"), so `jobs_fts_prefix`
 * keeps titles and skills unstemmed for the last, half-typed word. Both are
 * contentless: they store the index, not a second copy of the text.
 */

const quoted = (word: string) => `"${word.replace(/"/g, '""')}"`;

function expression(words: readonly string[], phrases: readonly (readonly string[])[], prefix: string | null): string {
  const parts = [...words.map(quoted), ...phrases.map((phrase) => quoted(phrase.join(' ')))];
  if (prefix !== null) parts.push(`${quoted(prefix)}*`);
  return parts.join(' AND ');
}

/* Column weights for bm25: title, summary, description, skills, reference, organisation. */
const RANK = sql`bm25(jobs_fts, 10.0, 3.0, 1.0, 4.0, 6.0, 3.0)`;

const INDEXED_JOBS = sql`
  select jobs.id, jobs.title, jobs.summary, jobs.description, coalesce(jobs.skills, ''), jobs.reference, organisations.name
  from jobs join organisations on organisations.id = jobs.organisation_id
  where jobs.deleted_at is null`;

export const sqliteFullText: FullTextEngine = {
  async indexJobs(db: Executor, jobIds: readonly number[]) {
    if (jobIds.length === 0) return;
    const ids = sql.join(jobIds.map((id) => sql`${id}`));
    await sql`delete from jobs_fts where rowid in (${ids})`.execute(db);
    await sql`delete from jobs_fts_prefix where rowid in (${ids})`.execute(db);
    await sql`insert into jobs_fts (rowid, title, summary, description, skills, reference, organisation)
      ${INDEXED_JOBS} and jobs.id in (${ids})`.execute(db);
    await sql`insert into jobs_fts_prefix (rowid, title, skills)
      select id, title, coalesce(skills, '') from jobs where deleted_at is null and id in (${ids})`.execute(db);
  },

  async rebuildIndex(db: Executor) {
    await sql`delete from jobs_fts`.execute(db);
    await sql`delete from jobs_fts_prefix`.execute(db);
    await sql`insert into jobs_fts (rowid, title, summary, description, skills, reference, organisation) ${INDEXED_JOBS}`.execute(db);
    await sql`insert into jobs_fts_prefix (rowid, title, skills)
      select id, title, coalesce(skills, '') from jobs where deleted_at is null`.execute(db);
  },

  match(text: TextQuery) {
    const full = expression(text.words, text.phrases, text.prefix);
    const stemmedHits = sql`jobs.id in (select rowid from jobs_fts where jobs_fts match ${full})`;
    // Scored once for all hits (materialised, or SQLite re-runs the match per row);
    // jobs found only by the unstemmed prefix rank last.
    const rankedHits = sql`text_hits as materialized (select rowid as text_hit_id, -${RANK} as text_rank
      from jobs_fts where jobs_fts match ${full})`;
    const rank = sql<number>`coalesce(text_hits.text_rank, 0)`;
    if (text.prefix === null) return { condition: sql`${stemmedHits}`, rank, rankedHits };
    const prefixHits = sql`jobs.id in (select rowid from jobs_fts_prefix where jobs_fts_prefix match ${`${quoted(text.prefix)}*`})`;
    const rest = expression(text.words, text.phrases, null);
    const restHits = rest === '' ? sql`1 = 1` : sql`jobs.id in (select rowid from jobs_fts where jobs_fts match ${rest})`;
    return { condition: sql`(${stemmedHits} or (${prefixHits} and ${restHits}))`, rank, rankedHits };
  },
};
