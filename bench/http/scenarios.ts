import type { Request } from 'autocannon';
import { seededRandom } from '../../src/seed/random.ts';
import type { Credentials, Dataset } from './dataset.ts';
import { searchMixPaths } from './search-mix.ts';

/*
 * What a run measures, one scenario at a time, in this order: reads first,
 * then the writes that change the data the reads see. Each scenario is one
 * autocannon request whose setupRequest varies the path or body per request;
 * lists under writes, whose latency is the lists' alone, is driven by a
 * client of its own (under-writes.ts) and checked here by one list request.
 */

export const SCENARIO_NAMES = [
  'token',
  'read',
  'list-page-1',
  'list-page-200',
  'search',
  'search-radius',
  'search-mix',
  'suggest',
  'create',
  'update',
  'list-under-writes',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The row names of the results table. */
export const SCENARIO_LABELS: Readonly<Record<ScenarioName, string>> = {
  token: 'password-grant token',
  read: 'read by id',
  'list-page-1': 'list page 1',
  'list-page-200': 'list page 200',
  search: 'keyword search',
  'search-radius': 'keyword + radius',
  'search-mix': 'search mix',
  suggest: 'suggest',
  create: 'create',
  update: 'partial update',
  'list-under-writes': 'list under writes (list latency)',
};

export const V1 = 'application/vnd.jb.v1+json';

export interface ScenarioContext {
  readonly dataset: Dataset;
  readonly credentials: Credentials;
  readonly token: string;
  /** Seeds the scenario's random choices, so a run can be repeated. */
  readonly seed: number;
  /** Makes the job references unique: one per autocannon run. */
  readonly runId: string;
}

/** A request template and the function that varies it; both are autocannon's. */
export type ScenarioRequest = Omit<Request, 'setupRequest'> & { readonly setupRequest?: (request: Request) => Request };

export function apiHeaders(token: string, json = false): Record<string, string> {
  return { accept: V1, authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
}

export const TITLES = ['Senior Bench Analyst', 'Bench Coordinator', 'Lead Load Tester', 'Trainee Throughput Engineer', 'Latency Manager'];

export function buildScenario(name: ScenarioName, context: ScenarioContext): ScenarioRequest {
  const { dataset, token } = context;
  const { vocabulary } = dataset;
  const random = seededRandom(context.seed);
  const anyJobId = () => random.integer(dataset.firstJobId, dataset.lastJobId);
  const word = () => encodeURIComponent(random.pick(vocabulary.words));
  const get = (setup: () => string): ScenarioRequest => ({
    method: 'GET',
    path: setup(),
    headers: apiHeaders(token),
    setupRequest: (request) => ({ ...request, path: setup() }),
  });

  switch (name) {
    case 'token':
      return {
        method: 'POST',
        path: '/oauth/token',
        headers: { 'content-type': 'application/json', accept: V1 },
        body: JSON.stringify({
          grant_type: 'password',
          client_id: context.credentials.clientId,
          client_secret: context.credentials.clientSecret,
          username: context.credentials.username,
          password: context.credentials.password,
        }),
      };
    case 'read':
      return get(() => `/api/job/${anyJobId()}`);
    case 'list-under-writes':
    case 'list-page-1':
      return { method: 'GET', path: '/api/job', headers: apiHeaders(token) };
    case 'list-page-200':
      return { method: 'GET', path: '/api/job?page[number]=200', headers: apiHeaders(token) };
    case 'search':
      return get(() => `/api/job?q=${word()}`);
    case 'search-radius':
      return get(() => `/api/job?q=${word()}&location=${encodeURIComponent(random.pick(vocabulary.towns))}&radius=25`);
    case 'search-mix': {
      const paths = searchMixPaths(vocabulary);
      return get(() => random.pick(paths));
    }
    case 'suggest':
      return get(() => `/api/job/suggest?q=${encodeURIComponent(random.pick(vocabulary.prefixes))}`);
    case 'create': {
      let created = 0;
      const body = () => {
        created += 1;
        return JSON.stringify(newJob(context, `BENCH-${context.runId}-${created}`, random.pick(vocabulary.categoryHandles), random.pick(vocabulary.towns)));
      };
      return {
        method: 'POST',
        path: '/api/job',
        headers: apiHeaders(token, true),
        body: body(),
        setupRequest: (request) => ({ ...request, body: body() }),
      };
    }
    case 'update': {
      const update = () => ({ path: `/api/job/${anyJobId()}/update`, body: JSON.stringify({ name: random.pick(TITLES) }) });
      return { method: 'POST', headers: apiHeaders(token, true), ...update(), setupRequest: (request) => ({ ...request, ...update() }) };
    }
  }
}

/** A valid job as a vendor would post it in JSON, with the contract's field names. */
export function newJob(context: ScenarioContext, reference: string, category: string, town: string): Record<string, unknown> {
  return {
    organisation: context.dataset.organisation,
    job_category: category,
    job_type: 'perm_fulltime',
    reference,
    name: 'Bench Test Analyst',
    description: '<p>Measure the <b>throughput</b> of a job board and report what limits it.</p>',
    open_date: new Date().toISOString().slice(0, 10),
    country: 'GB',
    premise: '1 Example Road',
    main_area: town,
    salary_frequency: 'ANNUALLY',
    salary_currency: 'GBP',
    salary_from: 30000,
    salary_to: 40000,
    salary_text: '£30,000 to £40,000 a year',
    apply_type: 'SIGNUP',
    sites: context.dataset.siteIds,
  };
}
