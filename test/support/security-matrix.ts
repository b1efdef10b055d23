import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { hashToken } from '../../src/auth/secrets.ts';
import { addUserToOrganisation, createClient, createOrganisation, removeUserFromOrganisation } from '../../src/tenancy/service.ts';
import { auth, buildTestApp, createTenant, issueToken, V1, type TestApp } from './app.ts';
import { jobJson } from './fixtures.ts';
import { webhookBody } from './webhooks.ts';
import { stores } from './stores.ts';

/*
 * The security cases every /api route shares (as Unkey's runCommonRouteTests):
 * run over both prefixes and both stores, against one app per store that
 * holds every tenant and token the cases need. A route joins by one entry.
 */

/** Where a write sends a job: an organisation's handle and site ids. */
export interface Target {
  readonly organisation: string;
  readonly sites: readonly number[];
}

export interface MatrixRoute {
  readonly method: 'GET' | 'POST';
  /**
   * The path under the prefix. `{job}` is filled with a job of the caller's
   * (a fresh one each request), or another tenant's, or one that does not
   * exist; `{application}` likewise with an application (with a CV) to a
   * job of the caller's, of another tenant's, or none; `{webhook}` likewise
   * with a webhook; `{word}` with a word in the title of a job of the
   * caller's, or of another tenant's, or of none.
   */
  readonly path: string;
  /** A write's body, for a job of this organisation on these sites. */
  readonly body?: (target: Target) => Record<string, unknown>;
  /** A write's body that names no organisation or site (so the write-target cases do not apply). */
  readonly payload?: () => Record<string, unknown>;
  /**
   * Who the route is for (default: a vendor). A board's route is answered to
   * the matrix's board, refused (403) to a vendor, and its `{job}` of
   * another tenant is one on a site the board is not granted.
   */
  readonly caller?: 'vendor' | 'board';
  /** GET /api/job's organisation and site filters apply. */
  readonly filters?: boolean;
  /** The status the route answers its own caller (default: any 2xx). */
  readonly answers?: number;
  /** A read a board client is refused too (403), as it is every write. */
  readonly vendorsOnly?: true;
  /** What a write's body names that the caller may be refused: an organisation and sites (default), or an organisation only. */
  readonly writeTargets?: 'organisation and sites' | 'organisation';
}

const PREFIXES = ['/api', '/admin/api'] as const;
const UNKNOWN_JOB = 1_999_999_999;
const UNKNOWN_APPLICATION = 1_999_999_998;
const TODAY = new Date().toISOString().slice(0, 10);
const UNAUTHENTICATED = '{"data":{"message":"Unauthenticated","status_code":401}}';

/** Tokens that must be refused, by what is wrong with them. */
interface RefusedTokens {
  expired: string;
  revoked: string;
  revokedClient: string;
}

/** One store's tenants: the caller's own, another tenant, and the organisation the caller's user was removed from. */
interface World {
  test: TestApp;
  own: Target & { token: string; word: string };
  other: Target & { token: string; job: number; word: string; application: number; offSiteJob: number; webhook: number };
  removed: { organisation: string; job: number; application: number; webhook: number };
  board: string;
  refused: RefusedTokens;
}

const uniqueWord = (label: string) => `${label}${randomBytes(4).toString('hex')}`;

async function createJob(test: TestApp, token: string, target: Target, title = 'Security Matrix Clerk'): Promise<number> {
  const response = await test.app.inject({
    // Open today and for years, so that a board may apply.
    method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson({ ...target, name: title, open_date: TODAY, close_date: '2099-12-31' }),
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().data.id;
}

let applicants = 0;

/** A board's application, with a CV, to this job. */
async function createApplication(test: TestApp, board: string, job: number): Promise<number> {
  applicants += 1;
  const response = await test.app.inject({
    method: 'POST', url: `/api/job/${job}/apply`, headers: auth(board),
    payload: {
      first_name: 'Matrix', last_name: 'Candidate', email: `matrix.${applicants}.${randomBytes(4).toString('hex')}@example.com`, consent: true,
      cv_content: Buffer.from('Matrix Candidate, clerk\n').toString('base64'), cv_filename: 'cv.txt',
    },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().data.id;
}

async function createWebhook(test: TestApp, token: string, organisation: string): Promise<number> {
  const response = await test.app.inject({
    method: 'POST', url: '/api/webhook', headers: auth(token), payload: webhookBody({ organisation }),
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().data.id;
}

async function setTokenRow(test: TestApp, token: string, column: 'expires_at' | 'revoked_at', value: string) {
  await test.app.store.db.updateTable('access_tokens').set({ [column]: value }).where('token_hash', '=', hashToken(token)).execute();
}

async function buildWorld(test: TestApp): Promise<World> {
  const { db } = test.app.store;
  const mine = await createTenant(test.app, { siteIds: [1] });
  const theirs = await createTenant(test.app, { siteIds: [1, 2] });
  const token = await issueToken(test.app, mine);
  const otherToken = await issueToken(test.app, theirs);
  const own = { organisation: mine.organisation, sites: [1], token, word: uniqueWord('ownword') };
  await createJob(test, token, own, `${own.word} Clerk`);
  const otherWord = uniqueWord('otherword');
  const other = { organisation: theirs.organisation, sites: [1], word: otherWord };
  const otherJob = await createJob(test, otherToken, other, `${otherWord} Clerk`);
  const offSiteJob = await createJob(test, otherToken, { ...other, sites: [2] });
  const board = await issueBoard(test);
  const otherApplication = await createApplication(test, board, otherJob);
  const otherWebhook = await createWebhook(test, otherToken, theirs.organisation);

  // The caller's user leaves an organisation after using it, so that its remembered caller has to be dropped.
  const left = `${mine.organisation}X`;
  await createOrganisation(db, { handle: left, name: 'Left behind', credits: null });
  await addUserToOrganisation(db, mine.username, left);
  const removedJob = await createJob(test, token, { organisation: left, sites: [1] });
  const removedApplication = await createApplication(test, board, removedJob);
  const removedWebhook = await createWebhook(test, token, left);
  await removeUserFromOrganisation(db, mine.username, left);

  const expired = await issueToken(test.app, mine);
  await setTokenRow(test, expired, 'expires_at', '2000-01-01T00:00:00.000Z');
  const revoked = await issueToken(test.app, mine);
  await setTokenRow(test, revoked, 'revoked_at', new Date().toISOString());
  const spare = await createClient(db, { name: 'Revoked vendor', siteIds: [1], allowBasic: false });
  const revokedClient = await issueToken(test.app, { ...mine, clientId: spare.clientId, clientSecret: spare.clientSecret });
  // The client alone is revoked, its token left as it was: the guard must check the client itself.
  await db.updateTable('api_clients').set({ revoked_at: new Date().toISOString() }).where('client_id', '=', spare.clientId).execute();

  return {
    test,
    own,
    other: { ...other, token: otherToken, job: otherJob, application: otherApplication, offSiteJob, webhook: otherWebhook },
    removed: { organisation: left, job: removedJob, application: removedApplication, webhook: removedWebhook },
    board,
    refused: { expired, revoked, revokedClient },
  };
}

async function issueBoard(test: TestApp): Promise<string> {
  const boardClient = await createClient(test.app.store.db, { name: 'Matrix board', siteIds: [1], allowBasic: false, board: true });
  const grant = await test.app.inject({
    method: 'POST', url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: boardClient.clientId, client_secret: boardClient.clientSecret },
  });
  assert.equal(grant.statusCode, 200, grant.body);
  return grant.json().access_token;
}

/** The route's request for this caller: its path under the prefix with {job} and {word} filled in, and its body. */
async function requestFor(
  world: World,
  route: MatrixRoute,
  prefix: string,
  fill: { job?: number; application?: number; webhook?: number; word?: string; target?: Target; query?: string } = {},
): Promise<InjectOptions> {
  const job = route.path.includes('{job}') ? (fill.job ?? (await createJob(world.test, world.own.token, world.own))) : undefined;
  const application = route.path.includes('{application}')
    ? (fill.application ?? (await createApplication(world.test, world.board, await createJob(world.test, world.own.token, world.own))))
    : undefined;
  const webhook = route.path.includes('{webhook}')
    ? (fill.webhook ?? (await createWebhook(world.test, world.own.token, world.own.organisation)))
    : undefined;
  const path = route.path
    .replace('{job}', String(job))
    .replace('{application}', String(application))
    .replace('{webhook}', String(webhook))
    .replace('{word}', fill.word ?? world.own.word);
  const url = fill.query === undefined ? `${prefix}${path}` : `${prefix}${path}${path.includes('?') ? '&' : '?'}${fill.query}`;
  const payload = route.body?.(fill.target ?? world.own) ?? route.payload?.();
  return { method: route.method, url, ...(payload ? { payload } : {}) };
}

const send = (world: World, request: InjectOptions, headers: Record<string, string>) => world.test.app.inject({ ...request, headers });

/* A list's meta.took is the time it took; everything else must be the same bytes. */
const withoutTook = (response: LightMyRequestResponse) => response.body.replace(/"took":\d+(\.\d+)?/, '"took":0');

function assertSameAnswer(foreign: LightMyRequestResponse, unknown: LightMyRequestResponse, names: [string, string]) {
  assert.equal(foreign.statusCode, unknown.statusCode, foreign.body);
  // A message may quote the name it was given (a string in a JSON string).
  const unnamed = (response: LightMyRequestResponse, name: string) =>
    withoutTook(response).replaceAll(JSON.stringify(JSON.stringify(name)).slice(1, -1), '?');
  assert.equal(unnamed(foreign, names[0]), unnamed(unknown, names[1]));
}

function assertUnauthenticated(response: LightMyRequestResponse) {
  assert.equal(response.statusCode, 401, response.body);
  assert.equal(response.body, UNAUTHENTICATED);
  assert.match(String(response.headers['www-authenticate']), /^Bearer realm="api"/);
}

const BAD_AUTHORIZATIONS: [string, (world: World) => Record<string, string>][] = [
  ['no token', () => ({ accept: V1 })],
  ['a malformed Authorization', () => ({ accept: V1, authorization: 'Bearer' })],
  ['a malformed bearer token', () => ({ accept: V1, authorization: 'Bearer not a token' })],
  ['an unknown token', () => auth(randomBytes(32).toString('base64url'))],
  ['an expired token', (world) => auth(world.refused.expired)],
  ['a revoked token', (world) => auth(world.refused.revoked)],
  ['a token of a revoked client', (world) => auth(world.refused.revokedClient)],
];

function describeRouteCases(world: () => World, route: MatrixRoute, prefix: string) {
  const writes = route.method === 'POST';
  const forBoard = route.caller === 'board';
  const ownToken = () => (forBoard ? world().board : world().own.token);
  it('answers its own caller', async () => {
    const response = await send(world(), await requestFor(world(), route, prefix), auth(ownToken()));
    if (route.answers !== undefined) assert.equal(response.statusCode, route.answers, response.body);
    else assert.ok(response.statusCode >= 200 && response.statusCode < 300, `${response.statusCode} ${response.body}`);
  });

  for (const [what, headers] of BAD_AUTHORIZATIONS) {
    it(`answers 401 with a challenge for ${what}`, async () => {
      assertUnauthenticated(await send(world(), await requestFor(world(), route, prefix), headers(world())));
    });
  }

  if (forBoard) {
    it('answers 403 to a vendor token', async () => {
      const response = await send(world(), await requestFor(world(), route, prefix), auth(world().own.token));
      assert.equal(response.statusCode, 403, response.body);
    });
    it("answers for a job on a site not granted to the board exactly as for one that does not exist", async () => {
      const foreign = await send(world(), await requestFor(world(), route, prefix, { job: world().other.offSiteJob }), auth(world().board));
      const unknown = await send(world(), await requestFor(world(), route, prefix, { job: UNKNOWN_JOB }), auth(world().board));
      assert.ok(foreign.statusCode >= 400, foreign.body);
      assertSameAnswer(foreign, unknown, [String(world().other.offSiteJob), String(UNKNOWN_JOB)]);
    });
  } else if (writes || route.vendorsOnly) {
    it('answers 403 to a board client', async () => {
      const response = await send(world(), await requestFor(world(), route, prefix), auth(world().board));
      assert.equal(response.statusCode, 403, response.body);
    });
  }

  if (route.path.includes('{application}')) {
    const cases = [['another tenant', () => world().other.application], ['the organisation the user left', () => world().removed.application]] as const;
    for (const [whose, application] of cases) {
      it(`answers for an application of ${whose} exactly as for one that does not exist`, async () => {
        const { own } = world();
        const foreign = await send(world(), await requestFor(world(), route, prefix, { application: application() }), auth(own.token));
        const unknown = await send(world(), await requestFor(world(), route, prefix, { application: UNKNOWN_APPLICATION }), auth(own.token));
        assert.ok(foreign.statusCode >= 400, foreign.body);
        assertSameAnswer(foreign, unknown, [String(application()), String(UNKNOWN_APPLICATION)]);
      });
    }
  }

  if (route.path.includes('{job}') && !forBoard) {
    for (const [whose, job] of [['another tenant', () => world().other.job], ['the organisation the user left', () => world().removed.job]] as const) {
      it(`answers for a job of ${whose} exactly as for one that does not exist`, async () => {
        const { own } = world();
        const foreign = await send(world(), await requestFor(world(), route, prefix, { job: job() }), auth(own.token));
        const unknown = await send(world(), await requestFor(world(), route, prefix, { job: UNKNOWN_JOB }), auth(own.token));
        assert.ok(foreign.statusCode >= 400, foreign.body);
        assertSameAnswer(foreign, unknown, [String(job()), String(UNKNOWN_JOB)]);
      });
    }
    // A precondition is judged only on a job the caller may see: never a 412 or a 304 that tells another tenant's job exists.
    const conditions: [string, string][] = [['if-match', '*'], ['if-match', '"stale"'], ['if-none-match', '*']];
    for (const [name, value] of conditions) {
      it(`answers ${name}: ${value} for another tenant's job exactly as for one that does not exist`, async () => {
        const { own, other } = world();
        const headers = { ...auth(own.token), [name]: value };
        const foreign = await send(world(), await requestFor(world(), route, prefix, { job: other.job }), headers);
        const unknown = await send(world(), await requestFor(world(), route, prefix, { job: UNKNOWN_JOB }), headers);
        assert.ok(foreign.statusCode >= 400 && foreign.statusCode !== 412, foreign.body);
        assertSameAnswer(foreign, unknown, [String(other.job), String(UNKNOWN_JOB)]);
      });
    }
  }

  if (writes) {
    it('never replays to its caller an answer another tenant stored under the same Idempotency-Key', async () => {
      const key = uniqueWord('matrix-key-');
      const request = await requestFor(world(), route, prefix);
      const theirs = await send(world(), request, { ...auth(world().other.token), 'idempotency-key': key });
      assert.ok(theirs.statusCode >= 400, theirs.body);
      const mine = await send(world(), request, { ...auth(ownToken()), 'idempotency-key': key });
      assert.equal(mine.headers['idempotent-replayed'], undefined);
      if (route.answers !== undefined) assert.equal(mine.statusCode, route.answers, mine.body);
      else assert.ok(mine.statusCode >= 200 && mine.statusCode < 300, `${mine.statusCode} ${mine.body}`);
    });
  }

  if (route.path.includes('{webhook}')) {
    for (const [whose, webhook] of [['another tenant', () => world().other.webhook], ['the organisation the user left', () => world().removed.webhook]] as const) {
      it(`answers for a webhook of ${whose} exactly as for one that does not exist`, async () => {
        const { own } = world();
        const foreign = await send(world(), await requestFor(world(), route, prefix, { webhook: webhook() }), auth(own.token));
        const unknown = await send(world(), await requestFor(world(), route, prefix, { webhook: UNKNOWN_JOB }), auth(own.token));
        assert.equal(foreign.statusCode, 404, foreign.body);
        assertSameAnswer(foreign, unknown, [String(webhook()), String(UNKNOWN_JOB)]);
      });
    }
  }

  if (route.path.includes('{word}')) {
    it("answers for a word of another tenant's job exactly as for a word of none", async () => {
      const { own, other } = world();
      const foreign = await send(world(), await requestFor(world(), route, prefix, { word: other.word }), auth(own.token));
      const none = uniqueWord('noword');
      const unknown = await send(world(), await requestFor(world(), route, prefix, { word: none }), auth(own.token));
      const seen = await send(world(), await requestFor(world(), route, prefix, { word: own.word }), auth(own.token));
      assert.equal(seen.json().data.length, 1, seen.body);
      assert.equal(foreign.statusCode, 200, foreign.body);
      assert.deepEqual(foreign.json().data, []);
      assertSameAnswer(foreign, unknown, [other.word, none]);
    });
  }

  if (route.filters) describeFilterCases(world, route, prefix);
  if (route.body) describeWriteTargetCases(world, route, prefix);
}

/* A filter naming what the caller may not see answers as one naming nothing at all. */
function describeFilterCases(world: () => World, route: MatrixRoute, prefix: string) {
  const cases: [string, (world: World) => { token: string; foreign: string; parameter: string }][] = [
    ["another tenant's organisation", (w) => ({ token: w.own.token, foreign: w.other.organisation, parameter: 'organisation' })],
    ['the organisation the user left', (w) => ({ token: w.own.token, foreign: w.removed.organisation, parameter: 'organisation' })],
    ['a site not granted to the client', (w) => ({ token: w.own.token, foreign: '2', parameter: 'site' })],
    ['a site not granted to a board', (w) => ({ token: w.board, foreign: '2', parameter: 'site' })],
  ];
  for (const [what, caseFor] of cases) {
    it(`answers a filter by ${what} exactly as by one that does not exist`, async () => {
      const { token, foreign, parameter } = caseFor(world());
      const unknown = '987654321';
      const ask = async (value: string) =>
        send(world(), await requestFor(world(), route, prefix, { query: `${parameter}=${value}` }), auth(token));
      assertSameAnswer(await ask(foreign), await ask(unknown), [foreign, unknown]);
    });
  }
}

function describeWriteTargetCases(world: () => World, route: MatrixRoute, prefix: string) {
  const cases: [string, (world: World) => Target][] = [
    ["another tenant's organisation", (w) => ({ ...w.own, organisation: w.other.organisation })],
    ['the organisation the user left', (w) => ({ ...w.own, organisation: w.removed.organisation })],
    ['a site not granted to the client', (w) => ({ ...w.own, sites: [1, 2] })],
  ];
  for (const [what, targetFor] of route.writeTargets === 'organisation' ? cases.slice(0, 2) : cases) {
    it(`answers 403 for a write to ${what}`, async () => {
      const request = await requestFor(world(), route, prefix, { target: targetFor(world()) });
      const response = await send(world(), request, auth(world().own.token));
      assert.equal(response.statusCode, 403, response.body);
    });
  }
}

/** The shared security cases for each of these routes, under both prefixes, on every store. */
export function describeSecurityMatrix(routes: readonly MatrixRoute[]) {
  for (const store of stores) {
    describe(`security cases [${store}]`, () => {
      let world: World | undefined;
      before(async () => {
        // Failed authentications are the point here: the per-address limit would answer 429 after 20 of them.
        world = await buildWorld(await buildTestApp(store, { AUTH_FAILURE_LIMIT: '0' }));
      });
      after(() => world?.test.close());
      const current = () => world as World;
      for (const route of routes) {
        for (const prefix of PREFIXES) {
          describe(`${route.method} ${prefix}${route.path}`, () => describeRouteCases(current, route, prefix));
        }
      }
    });
  }
}
