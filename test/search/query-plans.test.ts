import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery } from 'kysely';
import { auth, buildTestApp, createTenant, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { allSteps, captureQueries, describePlan, explain, type PlanStep } from '../support/query-plans.ts';
import { seedFakeJobs } from '../../src/seed/fake-jobs.ts';

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
const CATEGORY_LIST = '/api/job?category=ACCOUNTANCY';
const DEEP_PAGE = '/api/job?page[number]=40';
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

const isPage = (query: CompiledQuery) => /as distance_km from jobs/.test(query.sql);
const isTotal = (query: CompiledQuery) => /select count\(\*\) as total from jobs/.test(query.sql);
const isFacet = (query: CompiledQuery) => /count\(\*\) as count from jobs/.test(query.sql);
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
    describe('the list page plan', () => {
      for (const [name, url] of [['page 1', LIST], ['a deep page', DEEP_PAGE]] as const) {
        it(`reads ${name} newest first from jobs_organisation_listing_idx alone, with no temporary B-tree`, async () => {
          const { steps } = await planOf(url, isPage);
          assertStep(steps, /^SEARCH jobs USING COVERING INDEX jobs_organisation_listing_idx \(organisation_id=\? AND deleted_at=\?\)$/);
          refuteStep(steps, TEMP_B_TREE);
        });
      }

      it('reads a category page from its range of jobs_live_facets_idx', async () => {
        const { steps } = await planOf(CATEGORY_LIST, isPage);
        assertStep(steps, /^SEARCH jobs USING INDEX jobs_live_facets_idx \(organisation_id=\? AND job_category_id=\?\)$/);
      });

      it('reads a category page in id order, with no temporary B-tree', {
        todo: "a sector's roles are many ranges of jobs_live_facets_idx, none in id order: the page sorts the category's jobs",
      }, async () => {
        refuteStep((await planOf(CATEGORY_LIST, isPage)).steps, TEMP_B_TREE);
      });
    });

    describe('the counts and facets plan', () => {
      const countsAndFacets = (query: CompiledQuery) => isTotal(query) || isFacet(query);

      it('counts and facets a category from its range of jobs_live_facets_idx, never scanning the jobs', async () => {
        for (const { steps } of await plansOf(CATEGORY_LIST, countsAndFacets)) {
          assertStep(steps, /^SEARCH jobs USING INDEX jobs_live_facets_idx \(organisation_id=\? AND job_category_id=\?\)$/);
          refuteStep(steps, /^SCAN jobs\b/);
        }
      });

      // For SQLite the column of a partial index's WHERE is one more the query needs, and the index lacks it.
      const NOT_COVERING = "the queries name deleted_at, which jobs_live_facets_idx implies (its WHERE) but does not hold, so SQLite reads each job's row";

      it('counts and facets a category from jobs_live_facets_idx alone, never reading the rows', { todo: NOT_COVERING }, async () => {
        for (const { steps } of await plansOf(CATEGORY_LIST, countsAndFacets)) assertStep(steps, /USING COVERING INDEX jobs_live_facets_idx/);
      });

      it("facets an organisation's jobs from jobs_live_facets_idx alone", {
        todo: `${NOT_COVERING}; no cheaper than jobs_organisation_listing_idx, which the planner reads instead`,
      }, async () => {
        for (const { steps } of await plansOf(LIST, isFacet)) assertStep(steps, /USING COVERING INDEX jobs_live_facets_idx/);
      });
    });

    describe('the keyword search plan', () => {
      for (const [name, url] of KEYWORD_SEARCHES) {
        it(`streams the matches of ${name} newest first from FTS5 into jobs_search_facts_idx, with no temporary B-tree`, async () => {
          const { steps } = await planOf(url, isKeywordWindow);
          // LIMIT -1 keeps the merge of the two full-text lists a co-routine of its own.
          assertStep(steps, /^CO-ROUTINE text_hits$/);
          assertStep(steps, /^MERGE \(UNION ALL\)$/);
          assertStep(steps, newestFirstFrom('jobs_fts'));
          assertStep(steps, newestFirstFrom('jobs_fts_prefix'));
          assertStep(steps, /^SEARCH jobs USING COVERING INDEX jobs_search_facts_idx \(id=\?/);
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

    describe('the list page plan', () => {
      it('reads page 1 newest first from jobs_pkey backwards, with no Sort', async () => {
        const { steps } = await planOf(LIST, isPage);
        assertStep(steps, /^Index Scan Backward using jobs_pkey on jobs$/);
        refuteStep(steps, /^Sort\b/);
        refuteStep(steps, SEQ_SCAN_OF_JOBS);
      });

      it("reads a deep page from jobs_organisation_listing_idx alone", async () => {
        const { steps } = await planOf(DEEP_PAGE, isPage);
        assertStep(steps, /^Index Only Scan using jobs_organisation_listing_idx on jobs$/);
        refuteStep(steps, SEQ_SCAN_OF_JOBS);
      });

      it('reads a deep page in id order, with no Sort', {
        todo: "PostgreSQL takes deleted_at IS NULL for no equality, so (organisation_id, deleted_at, id) gives no id order: the page sorts the organisation's jobs",
      }, async () => {
        refuteStep((await planOf(DEEP_PAGE, isPage)).steps, /^Sort\b/);
      });

      it('reads a category page from its ranges of jobs_live_facets_idx', async () => {
        const { steps } = await planOf(CATEGORY_LIST, isPage);
        assertStep(steps, /^Index Scan using jobs_live_facets_idx on jobs$/);
        refuteStep(steps, SEQ_SCAN_OF_JOBS);
      });

      it('reads a category page in id order, with no Sort', {
        todo: "a sector's roles are many ranges of jobs_live_facets_idx, none in id order: the page sorts the category's jobs",
      }, async () => {
        refuteStep((await planOf(CATEGORY_LIST, isPage)).steps, /^Sort\b/);
      });
    });

    describe('the counts and facets plan', () => {
      for (const [name, url] of [["an organisation's jobs", LIST], ['a category', CATEGORY_LIST]] as const) {
        it(`facets ${name} from jobs_live_facets_idx alone`, async () => {
          for (const { steps } of await plansOf(url, isFacet)) {
            assertStep(steps, /^Index Only Scan using jobs_live_facets_idx on jobs$/);
            refuteStep(steps, SEQ_SCAN_OF_JOBS);
          }
        });
      }

      it('counts a category from jobs_live_facets_idx alone', async () => {
        const { steps } = await planOf(CATEGORY_LIST, isTotal);
        assertStep(steps, /^Index Only Scan using jobs_live_facets_idx on jobs$/);
      });

      it("counts an organisation's jobs from an index alone", async () => {
        const { steps } = await planOf(LIST, isTotal);
        assertStep(steps, /^Index Only Scan using \w+ on jobs$/);
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
