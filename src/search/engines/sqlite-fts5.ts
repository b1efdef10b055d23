import { type RawBuilder, sql } from 'kysely';
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
    const stemmed = sql`select rowid as text_hit_id, -${RANK} as text_rank from jobs_fts where jobs_fts match ${full}`;
    const prefixOnly = text.prefix === null ? null : prefixHits(text.prefix, expression(text.words, text.phrases, null));
    // FTS5 lists matches in descending rowid order without sorting; two such lists merge as
    // they stream (a job in both comes twice, adjacent). Jobs found only by the unstemmed
    // prefix rank last. The narrow index keyed by id holds every column a search reads.
    // LIMIT -1 keeps the merge a subquery of its own, which SQLite would otherwise flatten and sort.
    const hits = prefixOnly ? sql`${stemmed} union all ${prefixOnly}` : stemmed;
    return {
      from: sql`(${hits} order by 1 desc limit -1) as text_hits
        join jobs indexed by jobs_search_facts_idx on jobs.id = text_hits.text_hit_id`,
      condition: null,
      rank: sql<number>`text_hits.text_rank`,
      // Already newest first; an ORDER BY here would make SQLite sort every match.
      newestFirst: null,
    };
  },
};

/** Jobs whose unstemmed title or skills start with the prefix and that match the rest of the query. */
function prefixHits(prefix: string, rest: string): RawBuilder<unknown> {
  // `+rowid`: a plain rowid IN would make FTS5 run the prefix query once per listed id.
  const restHits = rest === '' ? sql`` : sql` and +rowid in (select rowid from jobs_fts where jobs_fts match ${rest})`;
  return sql`select rowid, 0 from jobs_fts_prefix where jobs_fts_prefix match ${`${quoted(prefix)}*`}${restHits}`;
}
