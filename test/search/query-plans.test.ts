import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery } from 'kysely';
import { auth, buildTestApp, createTenant, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { allSteps, captureQueries, describePlan, explain, type PlanStep } from '../support/query-plans.ts';
import { seedFakeJobs } from '../../src/seed/fake-jobs.ts';
import { JobFacts } from '../../src/search/facts.ts';

/*
 * The speed of lists and searches rests on the plans docs/search.md
 * describes. These tests capture the SQL the app really sends for each kind
 * of read and ask the store for its plan: the intended index, and no
 * temporary B-tree (SQLite) or Sort (PostgreSQL) where an index gives the
 * order. The store holds enough seeded jobs, of several organisations, with
 * fresh statistics, for the planners to choose as they would on a real
 * board; the demo organisation's are those listed. Plans the design wants
 * but the stores do not yet make are todo tests saying why.
 */
const ORGANISATIONS = 4;
const JOBS_EACH = 2_500;

const LIST = '/api/job';
const KEYWORD = '/api/job?q=accountant';
const KEYWORDS_HALF_TYPED = '/api/job?q=senior%20accou';
const KEYWORD_NEAR = '/api/job?q=accountant&lat=51.5&lon=-0.12&radius=25';
/** The three kinds of keyword search, each of which must keep its plan. */
const KEYWORD_SEARCHES = [
  ['one keyword', KEYWORD],
  ['several words, the last half-typed', KEYWORDS_HALF_TYPED],
  ['a keyword near a point', KEYWORD_NEAR],
] as const;
const SUGGEST = '/api/job/suggest?q=dig';
const READ_BY_ID = '/api/job/5';

const isFactsLoad = (query: CompiledQuery) => /from jobs where deleted_at is null and id > /.test(query.sql);
const isFeedRead = (query: CompiledQuery) => /from job_changes\s+where seq > /.test(query.sql);
const isKeywordWindow = (query: CompiledQuery) => /as text_rank/.test(query.sql);
const isSuggestion = (query: CompiledQuery) => /jobs\.title_key >=/.test(query.sql);
const isReadById = (query: CompiledQuery) => /where jobs\.id = /.test(query.sql);

const TEMP_B_TREE = /USE TEMP B-TREE/;
/*
 * An FTS5 scan that lists its rowids newest first itself (192 is FTS5's
 * ORDER BY rowid, 0x40, and DESC, 0x80, flags) for one MATCH and nothing else
 * (`M` and a column; a rowid constraint would add `=`, a look-up per listed
 * id, which `+rowid` prevents). Flattened into the outer query (without its
 * LIMIT -1), a subquery loses its ORDER BY and FTS5 lists the oldest first.
 */
const newestFirstFrom = (table: string) => new RegExp(`^SCAN ${table} VIRTUAL TABLE INDEX 192:M\\d+$`);

for (const store of stores) describe(`query plans [${store}]`, () => {
  let test: TestApp;
  let token: string;
  let capture: ReturnType<typeof captureQueries>;
  // Lists keep their counts and pages, so each request is made once and its queries kept.
  const sent = new Map<string, Promise<CompiledQuery[]>>();

  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
    const { db, dialect } = test.app.store;
    // Each seeding refreshes the planner's statistics at its end, as an operator's bulk load does.
    await seedFakeJobs(db, dialect, { jobs: JOBS_EACH, seed: 7 });
    for (let n = 1; n < ORGANISATIONS; n += 1) {
      const { organisation } = await createTenant(test.app);
      await seedFakeJobs(db, dialect, { jobs: JOBS_EACH, seed: 7 + n, organisation });
    }
    capture = captureQueries(test.app.store.db);
  });
  after(async () => test.close());

  const queriesOf = (url: string) => {
    if (!sent.has(url)) {
      sent.set(url, capture.during(async () => {
        const response = await test.app.inject({ url, headers: auth(token) });
        assert.equal(response.statusCode, 200, response.body);
      }));
    }
    return sent.get(url) as Promise<CompiledQuery[]>;
  };

  /** The plans of the queries loading the facts afresh sent that `pick` chooses (src/search/facts.ts). */
  const factsPlansOf = async (pick: (query: CompiledQuery) => boolean) => {
    const queries = (await capture.during(() => new JobFacts(test.app.store.db).current())).filter(pick);
    assert.ok(queries.length > 0, 'loading the facts sent no such query');
    return Promise.all(queries.map(async (query) => ({ query, steps: await explain(test.app.store.db, store, query) })));
  };

  /** The plans of the queries a request sent that `pick` chooses; at least one. */
  const plansOf = async (url: string, pick: (query: CompiledQuery) => boolean) => {
    const queries = (await queriesOf(url)).filter(pick);
    assert.ok(queries.length > 0, `${url} sent no such query`);
    return Promise.all(queries.map(async (query) => ({ query, steps: await explain(test.app.store.db, store, query) })));
  };

  const planOf = async (url: string, pick: (query: CompiledQuery) => boolean) => {
    const [plan, ...more] = await plansOf(url, pick);
    assert.equal(more.length, 0, `${url} sent more than one such query`);
    return plan as { query: CompiledQuery; steps: PlanStep[] };
  };

  const assertStep = (steps: readonly PlanStep[], expected: RegExp) => {
    assert.ok(allSteps(steps).some((step) => expected.test(step.detail)), `no step ${expected} in\n${describePlan(steps)}`);
  };
  const refuteStep = (steps: readonly PlanStep[], unwanted: RegExp) => {
    assert.ok(!allSteps(steps).some((step) => unwanted.test(step.detail)), `a step ${unwanted} in\n${describePlan(steps)}`);
  };

  if (store === 'sqlite') {
    describe('the facts lists count by (src/search/facts.ts)', () => {
      it('loads the jobs in id order, a range of the primary key at a time', async () => {
        const { steps } = (await factsPlansOf(isFactsLoad))[0]!;
        assertStep(steps, /^SEARCH jobs USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
        refuteStep(steps, TEMP_B_TREE);
      });

      it('reads the change feed from its primary key', async () => {
        const { steps } = (await factsPlansOf(isFeedRead))[0]!;
        assertStep(steps, /^SEARCH job_changes USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
        refuteStep(steps, TEMP_B_TREE);
      });
    });

    describe('the keyword search plan', () => {
      for (const [name, url] of KEYWORD_SEARCHES) {
        it(`streams the matches of ${name} newest first from FTS5 alone, with no temporary B-tree`, async () => {
          const { steps } = await planOf(url, isKeywordWindow);
          assertStep(steps, /^MERGE \(UNION ALL\)$/);
          assertStep(steps, newestFirstFrom('jobs_fts'));
          assertStep(steps, newestFirstFrom('jobs_fts_prefix'));
          // The filters are the facts' in memory: nothing of the jobs is read.
          refuteStep(steps, /^(SEARCH|SCAN) jobs\b/);
          refuteStep(steps, TEMP_B_TREE);
        });
      }

      it('asks FTS5 for the cells around the point', async () => {
        const { query } = await planOf(KEYWORD_NEAR, isKeywordWindow);
        assert.ok(query.parameters.some((parameter) => /cells : \(/.test(String(parameter))), JSON.stringify(query.parameters));
      });
    });

    describe('the suggestion plan', () => {
      it('streams titles newest first from jobs_fts_prefix into jobs_search_facts_idx, with no temporary B-tree', async () => {
        const { steps } = await planOf(SUGGEST, isSuggestion);
        assertStep(steps, newestFirstFrom('jobs_fts_prefix'));
        assertStep(steps, /^SEARCH jobs USING COVERING INDEX jobs_search_facts_idx \(id=\?/);
        refuteStep(steps, TEMP_B_TREE);
      });
    });

    describe('the read by id plan', () => {
      it('finds the job by its primary key', async () => {
        const { steps } = await planOf(READ_BY_ID, isReadById);
        assertStep(steps, /^SEARCH jobs USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
        refuteStep(steps, /^SCAN jobs\b/);
      });
    });
  }

  if (store === 'postgres') {
    const SEQ_SCAN_OF_JOBS = /^Seq Scan on jobs$/;

    describe('the facts lists count by (src/search/facts.ts)', () => {
      it('loads the jobs in id order from jobs_pkey, with no Sort', async () => {
        const { steps } = (await factsPlansOf(isFactsLoad))[0]!;
        assertStep(steps, /^Index Scan using jobs_pkey on jobs$/);
        refuteStep(steps, /^Sort\b/);
      });

      it('reads the change feed from job_changes_pkey', async () => {
        const { steps } = (await factsPlansOf(isFeedRead))[0]!;
        assertStep(steps, /^Index (Only )?Scan using job_changes_pkey on job_changes$/);
      });
    });

    describe('the keyword search plan', () => {
      for (const [name, url] of KEYWORD_SEARCHES) {
        it(`finds the matches of ${name} in the GIN indexes, never scanning the jobs`, async () => {
          const { steps } = await planOf(url, isKeywordWindow);
          assertStep(steps, /^Bitmap Index Scan using jobs_search_vector_idx$/);
          assertStep(steps, /^Bitmap Index Scan using jobs_prefix_vector_idx$/);
          refuteStep(steps, SEQ_SCAN_OF_JOBS);
        });
      }
    });

    describe('the suggestion plan', () => {
      it('reads the range of titles from jobs_title_suggest_idx alone', async () => {
        const { steps } = await planOf(SUGGEST, isSuggestion);
        assertStep(steps, /^Index Only Scan using jobs_title_suggest_idx on jobs$/);
        refuteStep(steps, SEQ_SCAN_OF_JOBS);
      });
    });

    describe('the read by id plan', () => {
      it('finds the job by jobs_pkey', async () => {
        const { steps } = await planOf(READ_BY_ID, isReadById);
        assertStep(steps, /^Index Scan using jobs_pkey on jobs$/);
        refuteStep(steps, SEQ_SCAN_OF_JOBS);
      });
    });
  }
});
