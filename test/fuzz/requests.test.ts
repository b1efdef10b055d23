import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { auth, buildTestApp, DEMO, issueToken, type TestApp } from '../support/app.ts';
import { applicationJson, createLiveJob, issueBoardToken, postApplication } from '../support/applications.ts';
import { jobJson } from '../support/fixtures.ts';
import { exchangeRaw, type RawResponse } from '../support/raw-http.ts';
import { stores } from '../support/stores.ts';
import { webhookBody } from '../support/webhooks.ts';
import { seededRandom, type Random } from '../../src/seed/random.ts';

/*
 * A bounded, seeded fuzz run over every route and both prefixes: random and
 * malformed paths, methods, headers, queries and bodies, through inject and
 * as raw bytes on a socket. Whatever comes in, the answer is in the
 * envelope (RFC 6749's shape on the token endpoint), never a 5xx, never a
 * framework code or a stack, and a refused request changes no row.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 9);
const INJECTED = 1500;
const RAW = 150;

const ROUTES = ['/job', '/job/{id}', '/job/{id}/update', '/job/{id}/delete', '/job/suggest', '/job/type', '/job/category',
  '/job/options', '/address/country', '/teapot', '/job/{id}/apply', '/job/{id}/applications', '/job/{id}/stats',
  '/application/{id}', '/application/{id}/cv', '/application/{id}/update', '/application/{id}/delete',
  '/webhook', '/webhook/{id}', '/webhook/{id}/update', '/webhook/{id}/delete', '/webhook/{id}/deliveries', '/webhook/application-secret'];
const ODD_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const ODD_ACCEPTS = ['application/vnd.jb.v2+json', 'text/html', 'application/json;q=0', '', ';;;'];
const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=z'];
const ODD_CONTENT_TYPES = ['multipart/form-data', 'multipart/form-data; boundary=z; boundary=y', 'text/plain', 'application/xml',
  'application/json; charset=latin1', ''];
const SEARCH_KEYS = ['q', 'location', 'lat', 'lon', 'radius', 'radius_unit', 'country', 'category', 'type', 'type[]', 'organisation',
  'site', 'salary_min', 'salary_max', 'salary_currency', 'posted_since', 'status', 'sort', 'page[number]', 'page[size]', 'size', 'a[b][c]'];
const JOB_KEYS = Object.keys(jobJson()).concat(['job_category_id', 'job_type_id', 'country_id', 'postcode', 'postal_code', 'apply_url',
  'apply_data', 'close_date', 'location_geo_lat', 'location_geo_lon', 'show_map', 'summary', 'logo_url', 'sites[]', 'sites[0]', '__proto__',
  'constructor', 'grant_type', 'client_id', 'client_secret', 'username', 'password', 'refresh_token', 'token', 'token_type_hint']);
const ODD_IDEMPOTENCY_KEYS = ['', ' ', '"quoted-key"', '"', 'k'.repeat(256), 'caf\u00e9', 'a, b', 'fuzz-key-1', 'fuzz-key-2'];
const ODD_ETAGS = ['*', '"x"', 'W/"x"', '""', 'garbage', '"a", "b"', 'W/', '*, "x"'];

function junkText(random: Random): string {
  return random.pick([
    '', ' ', '0', '-1', '1', '1e309', 'Infinity', 'NaN', '-0', '9'.repeat(30), 'true', 'null', '[]', '{}', 'é', '\u0000', '\uFFFF', '\uD800',
    '%', '%zz', '../../etc/passwd', "'; drop table jobs; --", '<script>', 'x'.repeat(random.integer(200, 7000)), '2017-02-31', '31-12-2017',
    'https://example.com/x', 'a@b.co', 'GB', 'JDT', 'perm_fulltime', 'REDIRECT', 'EMAIL', 'ANNUALLY', 'GBP',
  ]);
}

/** Percent-encoded; a lone surrogate cannot be, so it goes as the bytes a careless client would send. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function junkValue(random: Random, depth = 0): unknown {
  switch (random.integer(0, 7)) {
    case 0: return random.integer(-5, 5) * 10 ** random.integer(0, 12);
    case 1: return random.chance(0.5);
    case 2: return null;
    case 3: return depth < 2 ? Array.from({ length: random.integer(0, 4) }, () => junkValue(random, depth + 1)) : [];
    case 4: return depth < 2 ? { [random.pick(JOB_KEYS)]: junkValue(random, depth + 1) } : {};
    default: return junkText(random);
  }
}

function junkPath(random: Random): string {
  if (random.chance(0.05)) return random.pick(['/', '/oauth', '/oauth/token/', '/health/live', '/health/ready', '/openapi.json', '/api', '/%2e%2e/x', '/api/job/%E0%A4%A']);
  if (random.chance(0.12)) return random.chance(0.75) ? '/oauth/token' : '/oauth/revoke';
  const prefix = random.chance(0.85) ? random.pick(['/api', '/admin/api']) : random.pick(['//api', '/api/', '/ADMIN/api']);
  const id = random.chance(0.7) ? String(random.integer(1, 8))
    : random.pick(['999999', '0', '-1', 'abc', '1.5', '1e3', '%31', '9'.repeat(random.integer(11, 400)), '']);
  return `${prefix}${random.pick(ROUTES).replace('{id}', id)}${random.chance(0.05) ? '/' : ''}`;
}

function junkQuery(random: Random): string {
  const pairs = Array.from({ length: random.integer(0, 5) }, () => {
    const key = random.pick(SEARCH_KEYS);
    return `${encode(key)}=${random.chance(0.9) ? encode(junkText(random)) : '%G0'}`;
  });
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function junkBody(random: Random, contentType: string): string | Buffer | undefined {
  if (random.chance(0.1)) return undefined;
  const fields: Record<string, unknown> = random.chance(0.5) ? jobJson({ organisation: random.pick(['JDT', 'NOPE']) }) : {};
  for (let i = random.chance(0.3) ? 0 : random.integer(1, 6); i > 0; i -= 1) fields[random.pick(JOB_KEYS)] = junkValue(random);
  if (random.chance(0.05)) return Buffer.from(Array.from({ length: random.integer(1, 300) }, () => random.integer(0, 255)));
  if (contentType.startsWith('application/json')) {
    const text = JSON.stringify(random.chance(0.1) ? junkValue(random) : fields) ?? 'null';
    return random.chance(0.1) ? text.slice(0, random.integer(0, text.length)) : text;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
  const entries = Object.entries(fields).flatMap(([key, value]): [string, string][] =>
    Array.isArray(value) ? value.map((item): [string, string] => [`${key}[]`, text(item)]) : [[key, text(value)]]);
  if (contentType.startsWith('multipart')) {
    const lineEnd = random.chance(0.3) ? '\n' : '\r\n';
    const parts = entries.map(([key, value]) => `--z${lineEnd}Content-Disposition: form-data; name="${key}"${lineEnd}${lineEnd}${value}${lineEnd}`);
    const body = `${parts.join('')}--z--${lineEnd}`;
    return random.chance(0.15) ? body.slice(0, random.integer(0, body.length)) : body;
  }
  return entries.map(([key, value]) => `${encode(key)}=${random.chance(0.95) ? encode(value) : '%'}`).join('&');
}

/** What a refused request must leave as it was. */
async function digest(test: TestApp): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`select
      (select count(*) from jobs) as jobs,
      (select max(updated_at) from jobs) as updated,
      (select count(*) from jobs where deleted_at is not null) as deleted,
      (select count(*) from job_sites) as job_sites,
      (select sum(coalesce(credits, 0)) from organisations) as credits,
      (select count(*) from access_tokens) as tokens,
      (select count(*) from postcodes) as postcodes,
      (select count(*) from applications) as applications,
      (select max(updated_at) from applications) as applications_updated,
      (select count(*) from webhooks) as webhooks,
      (select max(updated_at) from webhooks) as webhooks_updated,
      (select count(*) from events) as events,
      (select count(*) from audit_log) as audit_entries`.execute(test.app.store.db);
  return JSON.stringify(rows[0], (_key, value) => (typeof value === 'bigint' ? String(value) : value));
}

function assertWellFormed(label: string, status: number, headers: Record<string, unknown>, text: string, path: string): void {
  assert.ok(status < 500, `${label}: ${status} ${text.slice(0, 300)}`);
  assert.ok(headers['x-request-id'], `${label}: no x-request-id`);
  assert.doesNotMatch(text, /FST_|node_modules|\.ts:\d+|\bat [\w.<>]+ \([^)]*:\d+:\d+\)|SQLITE_|syntax error/i, label);
  if (text === '') return;
  const body = JSON.parse(text);
  if (status < 400) return;
  const oauthShape = typeof body.error === 'string' && typeof body.error_description === 'string';
  const envelope = body.data?.status_code === status && typeof body.data.message === 'string';
  assert.ok(envelope || (oauthShape && /^\/oauth\/(token|revoke)/.test(path)), `${label}: not in the envelope: ${text.slice(0, 300)}`);
}

/** The body as text, decompressed when the server compressed it (the fuzz asks for that at times). */
function decodedBody(headers: Record<string, unknown>, raw: Buffer): string {
  const decode = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync }[String(headers['content-encoding'])];
  return (decode ? decode(raw) : raw).toString('utf8');
}

/** The headers this server reads beyond the contract's: retries, conditions, browsers, compression, request ids. */
function junkExtraHeaders(random: Random, headers: Record<string, string>): void {
  if (random.chance(0.15)) headers['idempotency-key'] = random.chance(0.5) ? `fuzz-${random.integer(1, 40)}` : random.pick(ODD_IDEMPOTENCY_KEYS);
  if (random.chance(0.1)) headers['if-match'] = random.pick(ODD_ETAGS);
  if (random.chance(0.1)) headers['if-none-match'] = random.pick(ODD_ETAGS);
  if (random.chance(0.1)) headers.origin = random.pick(['https://board.example', 'null', '', 'x'.repeat(300)]);
  if (random.chance(0.1)) headers['accept-encoding'] = random.pick(['gzip', 'br', 'deflate', 'gzip;q=0', '*', 'zstd', ';;']);
  if (random.chance(0.1)) headers['x-request-id'] = random.chance(0.5) ? junkText(random).slice(0, 300) : 'vendor-retry-1';
}

for (const store of stores) describe(`Fuzzing every route [${store}]`, () => {
  let test: TestApp;
  let base: string;
  let token: string;
  before(async () => {
    // Failed-authentication limits off: past 20 bad tokens every request would be the same 429.
    test = await buildTestApp(store, { AUTH_FAILURE_LIMIT: '0', AUTH_USERNAME_FAILURE_LIMIT: '0' });
    base = await test.app.listen({ port: 0, host: '127.0.0.1' });
    token = await issueToken(test.app);
    for (let i = 0; i < 3; i += 1) {
      await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson() });
    }
    // Something behind the application and webhook ids too.
    const job = await createLiveJob(test, token);
    const applied = await postApplication(test, await issueBoardToken(test.app), job, applicationJson());
    assert.equal(applied.statusCode, 201, applied.body);
    const hooked = await test.app.inject({ method: 'POST', url: '/api/webhook', headers: auth(token), payload: webhookBody({ organisation: 'JDT' }) });
    assert.equal(hooked.statusCode, 201, hooked.body);
  });
  after(() => test.close());

  it(`answers ${INJECTED} random requests in the envelope, without a 5xx, changing nothing when it refuses`, async () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < INJECTED; i += 1) {
      const path = junkPath(random);
      const writes = /\/(update|delete|apply|application-secret)$|\/(job|webhook)$|token$|revoke$/.test(path);
      const method = random.chance(0.85) ? (writes && random.chance(0.8) ? 'POST' : 'GET') : random.pick(ODD_METHODS);
      const url = `${path}${junkQuery(random)}`;
      const contentType = random.chance(0.85) ? random.pick(CONTENT_TYPES) : random.pick(ODD_CONTENT_TYPES);
      const headers: Record<string, string> = {};
      const accept = random.chance(0.85) ? random.pick([undefined, '*/*', 'application/vnd.jb.v1+json']) : random.pick(ODD_ACCEPTS);
      if (accept !== undefined) headers.accept = accept;
      const authorization = random.chance(0.8) ? `Bearer ${token}` : random.pick(['Bearer nope', 'Basic Zm9vOmJhcg==', 'Bearer', '', undefined]);
      if (authorization !== undefined) headers.authorization = authorization;
      if (random.chance(0.1)) Object.assign(headers, { 'client-id': DEMO.clientId, 'client-secret': junkText(random) });
      junkExtraHeaders(random, headers);
      const payload = method === 'GET' || method === 'HEAD' ? undefined : junkBody(random, contentType);
      if (payload !== undefined) headers['content-type'] = contentType;
      const label = `#${i} ${method} ${url.slice(0, 120)} (${contentType})`;
      const before = await digest(test);
      const response = await test.app.inject({ method, url, headers, payload });
      const text = method === 'HEAD' ? '' : decodedBody(response.headers, response.rawPayload);
      assertWellFormed(label, response.statusCode, response.headers, text, url.replace(/^\/+/, '/'));
      if (response.statusCode >= 400) assert.equal(await digest(test), before, `${label}: a refused request changed rows`);
    }
  });

  it(`answers ${RAW} malformed requests on a socket in the envelope`, async () => {
    const random = seededRandom(SEED + 1);
    const mangle = (line: string) => {
      const at = random.integer(0, line.length);
      return line.slice(0, at) + random.pick(['\x00', '\x7f', '\x01', ' ', '\t', '\r', 'é', '%', '', '\u0085']) + line.slice(at);
    };
    for (let i = 0; i < RAW; i += 1) {
      const body = random.chance(0.5) ? '{"name":"x"}' : '';
      const chunked = random.chance(0.2);
      let lines = [
        `${random.pick(['GET', 'POST', 'FOO', 'get', 'PRI', 'M-SEARCH'])} ${junkPath(random)}${junkQuery(random)} ${random.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1 '])}`,
        `Host: ${random.pick(['localhost', '', 'a b'])}`,
        `Authorization: Bearer ${token}`,
        ...(body ? ['Content-Type: application/json', `Content-Length: ${random.pick([body.length, body.length, 0, -1, 'x'])}`] : []),
        ...(chunked ? ['Transfer-Encoding: chunked'] : []),
        ...(random.chance(0.2) ? [`X-${'a'.repeat(random.integer(1, 40))}: ${junkText(random).slice(0, 200)}`] : []),
      ];
      if (random.chance(0.6)) lines = lines.map((line) => (random.chance(0.3) ? mangle(line) : line));
      const head = `${lines.join('\r\n')}\r\n\r\n`;
      const label = `raw #${i} ${JSON.stringify(head.slice(0, 160))}`;
      const before = await digest(test);
      let response: RawResponse;
      try {
        // Always a whole body for what the head declares: a short one would only wait for the 60 s timeout.
        response = await exchangeRaw(base, { head: head + (chunked ? '0\r\n\r\n' : body) });
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
      assertWellFormed(label, response.status, response.headers, head.startsWith('HEAD') ? '' : response.text, '/');
      if (response.status >= 400) assert.equal(await digest(test), before, `${label}: a refused request changed rows`);
    }
  });
});
