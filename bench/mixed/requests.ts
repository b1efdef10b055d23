import { seededRandom, weightedPicker, type Random } from '../../src/seed/random.ts';
import { COUNTRY_SHARES } from '../../src/seed/towns.ts';
import { apiHeaders, newJob, type ScenarioContext, TITLES, V1 } from '../http/scenarios.ts';
import { searchMixPaths } from '../http/search-mix.ts';

/*
 * The traffic of a busy board in one stream: reads of many jobs, lists
 * (the first page, filtered, deep), the search mix, suggestions, vendors
 * creating and updating jobs, and logging in. Each request is drawn by a
 * seeded generator, so a run offers the same sequence again.
 */

export const KINDS = ['read', 'list', 'search', 'suggest', 'create', 'update', 'token'] as const;
export type Kind = (typeof KINDS)[number];

export type Mix = Readonly<Record<Kind, number>>;

/** Shares in per cent, as the capacity target was set. */
export const DEFAULT_MIX: Mix = { read: 30, list: 20, search: 20, suggest: 5, create: 10, update: 12, token: 3 };

export const KIND_LABELS: Readonly<Record<Kind, string>> = {
  read: 'read by id',
  list: 'list',
  search: 'search',
  suggest: 'suggest',
  create: 'create',
  update: 'partial update',
  token: 'password-grant token',
};

export interface MixedRequest {
  readonly kind: Kind;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

const DEEPEST_PAGE = 200;
const DESCRIPTIONS = [
  '<p>Run the <b>night shift</b> of a busy team and report to the manager.</p>',
  '<p>Plan, measure and improve how the work flows; training given.</p>',
  '<p>Join a growing team serving customers across the region.</p>',
];

/** Page 1 (30%), a deep page (30%) and filtered first pages; without deep pages, page 1 and filters only. */
function listPath(context: ScenarioContext, random: Random, deepPages: boolean): string {
  const { vocabulary } = context.dataset;
  const kind = random.next();
  if (kind < 0.3) return '/api/job';
  if (deepPages && kind < 0.6) return `/api/job?page[number]=${random.integer(2, DEEPEST_PAGE)}`;
  // Each parameter once: a second `country` or `category` is a 400.
  const filters = [
    () => `country=${random.pick(COUNTRY_SHARES)[0]}`,
    () => `category=${random.chance(0.5) ? random.pick(vocabulary.sectorHandles) : random.pick(vocabulary.categoryHandles)}`,
    () => 'page[size]=50',
  ];
  const first = random.integer(0, filters.length - 1);
  const chosen = [first, ...(random.chance(0.3) ? [(first + random.integer(1, filters.length - 1)) % filters.length] : [])];
  return `/api/job?${chosen.map((index) => (filters[index] as () => string)()).join('&')}`;
}

/** An endless seeded stream of requests in the mix's proportions. */
export function requestStream(context: ScenarioContext, mix: Mix, { deepPages = true } = {}): () => MixedRequest {
  const random = seededRandom(context.seed);
  const pickKind = weightedPicker(KINDS.map((kind) => [kind, mix[kind]] as const));
  const { dataset, token, credentials } = context;
  const searches = searchMixPaths(dataset.vocabulary);
  const read = apiHeaders(token);
  const write = apiHeaders(token, true);
  const anyJobId = () => random.integer(dataset.firstJobId, dataset.lastJobId);
  let created = 0;
  const make: Record<Kind, () => Omit<MixedRequest, 'kind'>> = {
    read: () => ({ method: 'GET', path: `/api/job/${anyJobId()}`, headers: read }),
    list: () => ({ method: 'GET', path: listPath(context, random, deepPages), headers: read }),
    search: () => ({ method: 'GET', path: random.pick(searches), headers: read }),
    suggest: () => ({ method: 'GET', path: `/api/job/suggest?q=${encodeURIComponent(random.pick(dataset.vocabulary.prefixes))}`, headers: read }),
    create: () => {
      created += 1;
      const job = newJob(context, `MIXED-${context.runId}-${created}`, random.pick(dataset.vocabulary.categoryHandles), random.pick(dataset.vocabulary.towns));
      return { method: 'POST', path: '/api/job', headers: write, body: JSON.stringify(job) };
    },
    update: () => {
      const change = random.chance(0.7) ? { name: random.pick(TITLES) } : { description: random.pick(DESCRIPTIONS) };
      return { method: 'POST', path: `/api/job/${anyJobId()}/update`, headers: write, body: JSON.stringify(change) };
    },
    token: () => ({
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/json', accept: V1 },
      body: JSON.stringify({
        grant_type: 'password',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        username: credentials.username,
        password: credentials.password,
      }),
    }),
  };
  return () => {
    const kind = pickKind(random);
    return { kind, ...make[kind]() };
  };
}
