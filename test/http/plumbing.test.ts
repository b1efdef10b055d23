import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { acceptsVersionOne } from '../../src/http/accept.ts';
import { jobJson, multipartBody } from '../support/fixtures.ts';
import { describeSecurityMatrix } from '../support/security-matrix.ts';

describe('Accept negotiation', () => {
  for (const accept of [undefined, '*/*', 'application/*', 'application/json', 'application/vnd.jb.v1+json',
    'text/html, application/json;q=0.5', 'application/vnd.jb.v1+json; charset=utf-8']) {
    it(`serves v1 for ${accept ?? 'no Accept'}`, () => assert.equal(acceptsVersionOne(accept), true));
  }
  for (const accept of ['application/vnd.jb.v2+json', 'text/html', 'application/xml', 'application/json;q=0']) {
    it(`refuses ${accept}`, () => assert.equal(acceptsVersionOne(accept), false));
  }
});

for (const store of stores) describe(`HTTP plumbing [${store}]`, () => {
  let test: TestApp;
  let token: string;
  before(async () => {
    test = await buildTestApp(store);
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const expectEnvelope = (response: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number) => {
    assert.equal(response.statusCode, status);
    assert.match(String(response.headers['content-type']), /^application\/json; charset=utf-8/);
    const body = response.json();
    assert.equal(body.data.status_code, status);
    assert.equal(typeof body.data.message, 'string');
    assert.doesNotMatch(JSON.stringify(body), /at .*\.ts:\d+|node_modules|SELECT |sqlite/i);
    return body;
  };

  it('answers 406 in the envelope for an Accept without v1 JSON', async () => {
    const response = await test.app.inject({ url: '/api/job', headers: { ...auth(token), accept: 'application/vnd.jb.v2+json' } });
    expectEnvelope(response, 406);
  });

  it('answers JSON with charset and a request id on success', async () => {
    const response = await test.app.inject({ url: '/api/job', headers: auth(token) });
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('answers with the request id the client sent, and a fresh one for an id too long or not visible ASCII', async () => {
    const sent = await test.app.inject({ url: '/api/job', headers: { ...auth(token), 'x-request-id': 'vendor-42:retry/1' } });
    assert.equal(sent.headers['x-request-id'], 'vendor-42:retry/1');
    for (const bad of ['x'.repeat(129), 'two words', 'caf\u00e9']) {
      const response = await test.app.inject({ url: '/api/job', headers: { ...auth(token), 'x-request-id': bad } });
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/, bad);
    }
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await test.app.inject({
      method: 'POST', url: '/api/job', headers: { ...auth(token), 'content-type': 'application/json' }, payload: '{"name": ',
    });
    expectEnvelope(response, 400);
  });

  it('answers 400 for a malformed multipart body', async () => {
    const response = await test.app.inject({
      method: 'POST', url: '/api/job',
      headers: { ...auth(token), 'content-type': 'multipart/form-data; boundary=abc' },
      payload: '--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\nunterminated',
    });
    expectEnvelope(response, 400);
  });

  it('answers 415 for an unsupported content type', async () => {
    const response = await test.app.inject({
      method: 'POST', url: '/api/job', headers: { ...auth(token), 'content-type': 'text/plain' }, payload: 'name=x',
    });
    expectEnvelope(response, 415);
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await test.app.inject({
      method: 'POST', url: '/api/job', headers: { ...auth(token), 'content-type': 'application/json' },
      payload: JSON.stringify({ description: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expectEnvelope(response, 413);
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const response = await test.app.inject({ method: 'DELETE', url: '/api/job/1', headers: auth(token) });
    expectEnvelope(response, 405);
    assert.equal(response.headers.allow, 'GET, HEAD');
    const list = await test.app.inject({ method: 'PUT', url: '/admin/api/job', headers: auth(token) });
    assert.equal(list.headers.allow, 'GET, POST, HEAD');
  });

  it('answers 404 for an unknown route and for a job id that is not a positive integer', async () => {
    expectEnvelope(await test.app.inject({ url: '/api/nothing-here', headers: auth(token) }), 404);
    expectEnvelope(await test.app.inject({ url: '/api/job/abc', headers: auth(token) }), 404);
    expectEnvelope(await test.app.inject({ url: '/api/job/-1', headers: auth(token) }), 404);
  });

  it("answers 418 for GET /api/teapot", async () => {
    const body = expectEnvelope(await test.app.inject({ url: '/api/teapot', headers: auth(token) }), 418);
    assert.match(body.data.message, /teapot/i);
  });

  it('answers 500 with a request id and no internals when something breaks', async () => {
    const fresh = await buildTestApp(store);
    try {
      fresh.app.get('/api/__explode_for_test', { schema: { hide: true } }, async () => {
        throw new Error('SELECT * FROM secrets at /work/src/secret.ts:1');
      });
      const response = await fresh.app.inject({ url: '/api/__explode_for_test' });
      const body = expectEnvelope(response, 500);
      assert.ok(body.data.message.includes(String(response.headers['x-request-id'])));
    } finally {
      await fresh.close();
    }
  });

  it('accepts the same job as JSON, urlencoded with sites[] and multipart', async () => {
    const json = jobJson({ reference: 'FORMAT-JSON' });
    const asJson = await test.app.inject({ method: 'POST', url: '/admin/api/job', headers: auth(token), payload: json });
    assert.equal(asJson.statusCode, 201, asJson.body);
    const fields: [string, string][] = Object.entries(jobJson({ reference: 'FORMAT-FORM', sites: undefined }))
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]);
    fields.push(['sites[]', '1'], ['sites[]', '2'], ['show_map', 'on']);
    const form = new URLSearchParams(fields).toString();
    const asForm = await test.app.inject({
      method: 'POST', url: '/api/job', payload: form,
      headers: { ...auth(token), 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(asForm.statusCode, 201, asForm.body);
    assert.deepEqual(asForm.json().data.sites.data.map((s: { id: number }) => s.id), [1, 2]);
    const multipart = multipartBody(fields.map(([k, v]): [string, string] => [k, k === 'reference' ? 'FORMAT-MULTI' : v]));
    const asMultipart = await test.app.inject({
      method: 'POST', url: '/api/job', payload: multipart.body, headers: { ...auth(token), 'content-type': multipart.contentType },
    });
    assert.equal(asMultipart.statusCode, 201, asMultipart.body);
    assert.equal(asMultipart.json().data.show_map, true);
  });

  for (const query of ['page[number]=1e309', 'page[size]=-Infinity', 'lat=Infinity&lon=1', 'lat=1&lon=1e309',
    'radius=Infinity&lat=1&lon=1', 'salary_min=1e400&salary_currency=GBP']) {
    it(`answers 400 naming the parameter for a number that is not finite: ${query}`, async () => {
      const response = await test.app.inject({ url: `/api/job?${query}`, headers: auth(token) });
      const body = expectEnvelope(response, 400);
      assert.match(body.data.message, /must be a finite number/);
    });
  }

  it('answers 400 for suggest size at Infinity', async () => {
    expectEnvelope(await test.app.inject({ url: '/api/job/suggest?q=ac&size=Infinity', headers: auth(token) }), 400);
  });

  it('answers 422 for a form salary of 1e309, and 400 for a JSON one', async () => {
    const fields = Object.entries(jobJson({ salary_from: '1e309' })).filter(([key]) => key !== 'sites').map(([key, value]) => [key, String(value)]);
    const form = new URLSearchParams([...fields, ['sites[]', '1']]);
    const asForm = await test.app.inject({
      method: 'POST', url: '/api/job', payload: form.toString(),
      headers: { ...auth(token), 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.deepEqual(expectEnvelope(asForm, 422).data.errors, { salary_from: ['The salary from must be a number.'] });
    const asJson = await test.app.inject({
      method: 'POST', url: '/api/job', payload: JSON.stringify(jobJson()).replace(/"salary_from":\d+/, '"salary_from":1e309'),
      headers: { ...auth(token), 'content-type': 'application/json' },
    });
    expectEnvelope(asJson, 400);
  });

  for (const [format, contentType, build] of [
    ['JSON', 'application/json', (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`a[${i}]`, 'x'])))],
    ['urlencoded', 'application/x-www-form-urlencoded', (n: number) => Array.from({ length: n }, (_, i) => `a[${i}]=x`).join('&')],
    ['multipart', 'multipart/form-data; boundary=b', (n: number) =>
      `${Array.from({ length: n }, (_, i) => `--b\r\nContent-Disposition: form-data; name="a[${i}]"\r\n\r\nx\r\n`).join('')}--b--\r\n`],
  ] as const) {
    it(`reads a ${format} body of 1,000 fields and refuses 1,001 with 413`, async () => {
      const post = (payload: string) => test.app.inject({
        method: 'POST', url: '/api/job', payload, headers: { ...auth(token), 'content-type': contentType },
      });
      const within = await post(build(1000));
      assert.equal(within.statusCode, 422, within.body);
      const over = expectEnvelope(await post(build(1001)), 413);
      assert.match(over.data.message, /at most 1000 fields/);
    });
  }

  it('refuses 60,000 keys with 413 while the server keeps answering', async () => {
    const huge = Array.from({ length: 60_000 }, (_, i) => `a[${i}]=1`).join('&');
    const [refused, health] = await Promise.all([
      test.app.inject({ method: 'POST', url: '/api/job', payload: huge, headers: { ...auth(token), 'content-type': 'application/x-www-form-urlencoded' } }),
      test.app.inject({ url: '/health/live' }),
    ]);
    expectEnvelope(refused, 413);
    assert.equal(health.statusCode, 200);
  });

  it('serves the OpenAPI document built from the route schemas', async () => {
    const response = await test.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    const create = document.paths['/api/job'].post;
    const body = create.requestBody.content['application/json'].schema.$ref.split('/').pop();
    assert.ok(document.components.schemas[body].properties.job_category_id);
    assert.ok(document.paths['/oauth/token'].post);
  });

  it('answers health checks without a token or Accept rules', async () => {
    assert.deepEqual((await test.app.inject({ url: '/health/live', headers: { accept: 'text/html' } })).json(), { status: 'ok' });
    assert.deepEqual((await test.app.inject({ url: '/health/ready' })).json(), { status: 'ok' });
  });
});

describe('maintenance mode', () => {
  it('answers 503 in the envelope on the API and the token endpoint, and keeps health checks', async () => {
    const test = await buildTestApp('sqlite', { MAINTENANCE_MODE: 'on' });
    try {
      for (const request of [{ url: '/api/job' }, { method: 'POST' as const, url: '/oauth/token', payload: {} }]) {
        const response = await test.app.inject(request);
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers['retry-after'], '300');
        assert.equal(response.json().data.status_code, 503);
      }
      assert.equal((await test.app.inject({ url: '/health/live' })).statusCode, 200);
    } finally {
      await test.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 in the envelope with Retry-After and X-RateLimit-* once a token is over its limit', async () => {
    const test = await buildTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const token = await issueToken(test.app);
      const first = await test.app.inject({ url: '/api/job/type', headers: auth(token) });
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['x-ratelimit-limit'], '2');
      assert.equal((await test.app.inject({ url: '/api/job/type', headers: auth(token) })).statusCode, 200);
      const over = await test.app.inject({ url: '/api/job/type', headers: auth(token) });
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().data.status_code, 429);
      assert.ok(Number(over.headers['retry-after']) > 0);
      assert.equal(over.headers['x-ratelimit-remaining'], '0');
      const health = await test.app.inject({ url: '/health/live' });
      assert.equal(health.statusCode, 200, 'health checks are never limited');
    } finally {
      await test.close();
    }
  });
});

describeSecurityMatrix([{ method: 'GET', path: '/teapot', answers: 418 }]);
