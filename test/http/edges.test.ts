import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { auth, buildTestApp, issueToken, useTestApp, V1, type TestApp } from '../support/app.ts';
import { applicationParts, createLiveJob, issueBoardToken, postApplicationForm } from '../support/applications.ts';
import { IMAGES, formFields, jobJson, multipartBytes, upload } from '../support/fixtures.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

/*
 * What a browser or a proxy meets before the contract: CORS for the origins
 * an operator lists, security headers fitted to a JSON API, and compression
 * of large answers for clients that ask.
 */

const BOARD = 'https://board.example';

const decoded = (response: LightMyRequestResponse): Buffer => {
  const encoding = response.headers['content-encoding'];
  if (encoding === 'gzip') return gunzipSync(response.rawPayload);
  if (encoding === 'br') return brotliDecompressSync(response.rawPayload);
  assert.equal(encoding, undefined, `unexpected encoding ${String(encoding)}`);
  return response.rawPayload;
};

describe('CORS_ORIGINS', () => {
  it('is empty by default, so that no origin may call from a browser', () => {
    assert.deepEqual(loadConfig({}).corsOrigins, []);
  });

  it('reads a comma-separated list of origins, or * alone', () => {
    assert.deepEqual(loadConfig({ CORS_ORIGINS: `${BOARD}, http://localhost:3000` }).corsOrigins, [BOARD, 'http://localhost:3000']);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins, ['*']);
  });

  for (const value of ['board.example', 'https://board.example/', 'https://Board.example', 'ftp://board.example', `${BOARD},*`]) {
    it(`refuses ${value} naming CORS_ORIGINS`, () => {
      assert.throws(() => loadConfig({ CORS_ORIGINS: value }), (error: unknown) => error instanceof ConfigError && error.variable === 'CORS_ORIGINS');
    });
  }
});

describe('CORS', () => {
  const preflight = (test: TestApp, origin: string) => test.app.inject({
    method: 'OPTIONS', url: '/api/job',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

  describe('without CORS_ORIGINS', () => {
    const suite = useTestApp('sqlite');

    it('sends no CORS header to any origin, and answers a preflight 405 in the envelope', async () => {
      const response = await suite.test.app.inject({ url: '/api/job/type', headers: { ...auth(suite.token), origin: BOARD } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      const refused = await preflight(suite.test, BOARD);
      assert.equal(refused.statusCode, 405);
      assert.equal(refused.json().data.status_code, 405);
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
    });
  });

  describe(`with CORS_ORIGINS=${BOARD}`, () => {
    const suite = useTestApp('sqlite', { CORS_ORIGINS: `${BOARD},http://localhost:3000` });

    it('answers a preflight from a listed origin 204 with the methods, the asked headers and a max age', async () => {
      const response = await preflight(suite.test, BOARD);
      assert.equal(response.statusCode, 204);
      assert.equal(response.headers['access-control-allow-origin'], BOARD);
      assert.equal(response.headers['access-control-allow-methods'], 'GET, HEAD, POST');
      assert.equal(response.headers['access-control-allow-headers'], 'authorization, content-type');
      assert.equal(response.headers['access-control-max-age'], '600');
      assert.equal(response.headers['access-control-allow-credentials'], undefined, 'tokens are headers, never cookies');
    });

    it("lets a listed origin's script read answers, errors and the limits' headers", async () => {
      const response = await suite.test.app.inject({ url: '/api/job/type', headers: { ...auth(suite.token), origin: BOARD } });
      assert.equal(response.headers['access-control-allow-origin'], BOARD);
      assert.match(String(response.headers.vary), /origin/i);
      assert.match(String(response.headers['access-control-expose-headers']), /x-request-id.*retry-after.*x-ratelimit-remaining/);
      assert.match(String(response.headers['access-control-expose-headers']), /\betag\b.*idempotent-replayed/);
      const unauthenticated = await suite.test.app.inject({ url: '/api/job/type', headers: { accept: V1, origin: 'http://localhost:3000' } });
      assert.equal(unauthenticated.statusCode, 401);
      assert.equal(unauthenticated.headers['access-control-allow-origin'], 'http://localhost:3000');
    });

    it('sends no CORS header to another origin, and answers its preflight 405 in the envelope', async () => {
      const response = await suite.test.app.inject({ url: '/api/job/type', headers: { ...auth(suite.token), origin: 'https://evil.example' } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      const refused = await preflight(suite.test, 'https://evil.example');
      assert.equal(refused.statusCode, 405);
      assert.equal(refused.json().data.status_code, 405);
      assert.equal(refused.headers['access-control-allow-origin'], undefined);
      const noPreflight = await suite.test.app.inject({ method: 'OPTIONS', url: '/api/job' });
      assert.equal(noPreflight.json().data.status_code, 405, 'an OPTIONS request without Origin');
    });
  });
});

describe('security headers', () => {
  const suite = useTestApp('sqlite');

  const assertApiHeaders = (response: LightMyRequestResponse) => {
    assert.equal(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(response.headers['x-powered-by'], undefined);
  };

  it('come on answers and errors alike, and HSTS does not behind an http PUBLIC_URL', async () => {
    const answer = await suite.test.app.inject({ url: '/api/job/type', headers: auth(suite.token) });
    assertApiHeaders(answer);
    assert.equal(answer.headers['strict-transport-security'], undefined);
    const missing = await suite.test.app.inject({ url: '/api/job/999999', headers: auth(suite.token) });
    assert.equal(missing.json().data.status_code, 404);
    assertApiHeaders(missing);
  });

  it('leave GET /openapi.json served as JSON', async () => {
    const response = await suite.test.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.ok(response.json().paths['/oauth/token']);
    assertApiHeaders(response);
  });

  it('let boards show logos on their own pages: a logo is Cross-Origin-Resource-Policy: cross-origin', async () => {
    const { body, contentType } = multipartBytes([...formFields(jobJson()), ['logo', upload(IMAGES.png)]]);
    const created = await suite.test.app.inject({ method: 'POST', url: '/api/job', payload: body, headers: { ...auth(suite.token), 'content-type': contentType } });
    assert.equal(created.statusCode, 201, created.body);
    const logo = await suite.test.app.inject({ url: new URL(created.json().data.media.data[0].path).pathname });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['cross-origin-resource-policy'], 'cross-origin');
  });

  it('include HSTS for a year when PUBLIC_URL is https', async () => {
    const test = await buildTestApp('sqlite', { PUBLIC_URL: 'https://jobs.test' });
    try {
      const response = await test.app.inject({ url: '/health/live' });
      assert.equal(response.headers['strict-transport-security'], 'max-age=31536000');
    } finally {
      await test.close();
    }
  });
});

describe('compression', () => {
  const suite = useTestApp('sqlite');

  const get = (url: string, acceptEncoding?: string) =>
    suite.test.app.inject({ url, headers: { ...auth(suite.token), ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } });

  for (const encoding of ['gzip', 'br']) {
    it(`GET /api/job/category: ${encoding} when Accept-Encoding asks for it, the same JSON once decoded`, async () => {
      const identity = await get('/api/job/category');
      const compressed = await get('/api/job/category', `${encoding}, deflate`);
      assert.equal(compressed.statusCode, 200);
      assert.equal(compressed.headers['content-encoding'], encoding);
      assert.match(String(compressed.headers.vary), /accept-encoding/i);
      assert.ok(compressed.rawPayload.length < identity.rawPayload.length / 4, `${compressed.rawPayload.length} of ${identity.rawPayload.length} bytes`);
      assert.deepEqual(decoded(compressed), identity.rawPayload);
    });
  }

  it('GET /api/job/category: identity without Accept-Encoding or with identity only', async () => {
    for (const acceptEncoding of [undefined, 'identity']) {
      const response = await get('/api/job/category', acceptEncoding);
      assert.equal(response.headers['content-encoding'], undefined);
      assert.doesNotThrow(() => response.json());
    }
  });

  it('GET /health/live: identity below 1 KB, even when asked', async () => {
    const response = await get('/health/live', 'gzip');
    assert.ok(response.rawPayload.length < 1024, `${response.rawPayload.length} bytes`);
    assert.equal(response.headers['content-encoding'], undefined);
  });

  it('GET /api/job: a pre-rendered list page decodes to the page sent uncompressed', async () => {
    for (let job = 0; job < 3; job += 1) await createLiveJob(suite.test, suite.token);
    const identity = await get('/api/job');
    const compressed = await get('/api/job', 'gzip');
    assert.equal(compressed.headers['content-encoding'], 'gzip');
    const page = JSON.parse(decoded(compressed).toString('utf8'));
    const plain = identity.json();
    assert.equal(page.data.length, 3);
    assert.deepEqual(page.data, plain.data);
  });

  it('keeps a large error in the envelope once decoded', async () => {
    const response = await suite.test.app.inject({
      method: 'POST', url: '/api/job', headers: { ...auth(suite.token), 'accept-encoding': 'gzip' }, payload: jobJson({ name: 'x'.repeat(2000), job_category_id: 'x'.repeat(2000) }),
    });
    const body = JSON.parse(decoded(response).toString('utf8'));
    assert.equal(body.data.status_code, response.statusCode);
    assert.equal(response.statusCode, 422);
  });

  it('sends a CV as stored, with its Content-Length, to the vendor and by its signed link', async () => {
    const text = Buffer.from('Ada Candidate, bookkeeper.\n'.repeat(100));
    const jobId = await createLiveJob(suite.test, suite.token);
    const applied = await postApplicationForm(suite.test, await issueBoardToken(suite.test.app), jobId, [...applicationParts(), ['cv', upload(text, 'cv.txt', 'text/plain')]]);
    assert.equal(applied.statusCode, 201, applied.body);
    const id = applied.json().data.id as number;
    const link = new URL(suite.test.app.applications.cvLinks.linkFor(id, Math.floor(Date.now() / 1000) + 3600));
    for (const response of [await get(`/api/application/${id}/cv`, 'gzip, br'), await suite.test.app.inject({ url: link.pathname + link.search, headers: { 'accept-encoding': 'gzip' } })]) {
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-encoding'], undefined);
      assert.equal(response.headers['content-length'], String(text.length));
      assert.deepEqual(response.rawPayload, text);
    }
  });
});
