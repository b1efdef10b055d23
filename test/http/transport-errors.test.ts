import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Type } from '@sinclair/typebox';
import { buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { exchangeRaw, headLines, type RawResponse } from '../support/raw-http.ts';
import { stores } from '../support/stores.ts';

/*
 * Every error, whoever raises it (Node's HTTP parser, Fastify's router,
 * a serializer, our code), is the contract's envelope with a request id.
 * Sent as raw bytes: ordinary clients refuse to send most of these.
 */
const REQUEST_ID = /^[0-9a-f-]{36}$/;

function assertEnvelope(response: RawResponse, status: number): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers['content-type'] ?? '', /^application\/json; charset=utf-8/);
  assert.match(response.headers['x-request-id'] ?? '', REQUEST_ID);
  assert.equal(response.body?.data?.status_code, status, response.text);
  assert.equal(typeof response.body.data.message, 'string');
  assert.doesNotMatch(response.text, /FST_|"error":|"code":|node_modules|\.ts:\d+/);
}

for (const store of stores) describe(`Errors beneath the routes [${store}]`, () => {
  let test: TestApp;
  let base: string;
  let token: string;
  before(async () => {
    test = await buildTestApp(store);
    // A route whose answer breaks its own response schema: what a serialisation bug looks like.
    test.app.get('/api/__misshapen_for_test', { schema: { response: { 200: Type.Object({ id: Type.Integer() }) } } }, async () => ({ id: 'x' }));
    base = await test.app.listen({ port: 0, host: '127.0.0.1' });
    token = await issueToken(test.app);
  });
  after(() => test.close());

  const send = (lines: string[], body?: string) => exchangeRaw(base, { head: headLines(lines), body: body === undefined ? undefined : Buffer.from(body) });
  const host = () => `Host: ${new URL(base).host}`;
  const bearer = () => `Authorization: Bearer ${token}`;

  const cases: { name: string; status: number; lines: () => string[]; body?: string }[] = [
    { name: 'an unknown method on a known path is 405', status: 405, lines: () => ['FOO /api/job HTTP/1.1', host()] },
    { name: 'an unknown method on an unknown path is 404', status: 404, lines: () => ['FOO /nowhere HTTP/1.1', host()] },
    { name: 'Content-Length beside Transfer-Encoding (bad framing) is 400', status: 400,
      lines: () => ['POST /api/job HTTP/1.1', host(), 'Content-Length: 3', 'Transfer-Encoding: chunked'], body: '0\r\n\r\n' },
    { name: 'a control character in a header is 400', status: 400, lines: () => ['GET /api/job HTTP/1.1', host(), 'X-Note: a\x01b'] },
    { name: 'a request line that is not HTTP is 400', status: 400, lines: () => ['GET /api/job HTTP/9'] },
    { name: 'headers over 16 KiB are 431', status: 431, lines: () => ['GET /api/job HTTP/1.1', host(), `X-Big: ${'a'.repeat(20_000)}`] },
    { name: 'a URL that does not percent-decode is 400', status: 400, lines: () => ['GET /api/job/%E0%A4%A HTTP/1.1', host(), bearer()] },
    { name: 'a path id too long to be one is 404', status: 404, lines: () => [`GET /api/job/${'9'.repeat(5000)} HTTP/1.1`, host(), bearer()] },
    { name: 'an Expect other than 100-continue is 417', status: 417, lines: () => ['POST /api/job HTTP/1.1', host(), bearer(), 'Expect: tea', 'Content-Length: 0'] },
    { name: 'an unknown route is 404', status: 404, lines: () => ['GET /api/nothing HTTP/1.1', host(), bearer()] },
    { name: 'a wrong method on a known path is 405', status: 405, lines: () => ['DELETE /api/job/1 HTTP/1.1', host(), bearer()] },
    { name: 'an Accept without v1 JSON is 406', status: 406, lines: () => ['GET /api/job HTTP/1.1', host(), bearer(), 'Accept: text/html'] },
    { name: 'a body declared over the limit is 413', status: 413,
      lines: () => ['POST /api/job HTTP/1.1', host(), bearer(), 'Content-Type: application/json', 'Content-Length: 50000000'] },
    { name: 'an unsupported content type is 415', status: 415,
      lines: () => ['POST /api/job HTTP/1.1', host(), bearer(), 'Content-Type: text/csv', 'Content-Length: 3'], body: 'a,b' },
    { name: 'a response that breaks its schema is 500', status: 500, lines: () => ['GET /api/__misshapen_for_test HTTP/1.1', host(), bearer()] },
  ];
  for (const { name, status, lines, body } of cases) {
    it(`${name}, in the envelope with a request id`, async () => assertEnvelope(await send(lines(), body), status));
  }

  it('names the methods of the path in Allow when Node does not know the method', async () => {
    const response = await send(['FOO /admin/api/job HTTP/1.1', host()]);
    assert.equal(response.headers.allow, 'GET, POST, HEAD');
  });

  it('answers 500 naming the request id, which is also the header', async () => {
    const response = await send(['GET /api/__misshapen_for_test HTTP/1.1', host(), bearer()]);
    assert.ok(response.body.data.message.includes(response.headers['x-request-id']));
  });

  it('answers a request that timed out with 408 in the envelope', async () => {
    // Node raises the timeout from its connection check every 30 s; the error it raises is sent here at once.
    const serverSocket = new Promise<Socket>((resolve) => test.app.server.once('connection', resolve));
    const response = exchangeRaw(base, { head: 'GET /api/job HTTP/1.1\r\nHost: x\r\n' });
    const timeout = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    test.app.server.emit('clientError', timeout, await serverSocket);
    assertEnvelope(await response, 408);
  });

  it('keeps the query when it makes repeated slashes one', async () => {
    const response = await send(['GET //api//job?page%5Bsize%5D=1 HTTP/1.1', host(), bearer()]);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.meta.pagination.per_page, 1);
    assert.match(response.body.meta.pagination.links?.next ?? 'http://jobs.test/api/job', /^http:\/\/jobs\.test\/api\/job/);
  });
});

for (const store of stores) describe(`POST /oauth/token with a body it cannot read [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  const bodies: [string, string, string][] = [
    ['bad JSON', 'application/json', '{"grant_type": '],
    ['broken multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\npass'],
    ['multipart without a boundary', 'multipart/form-data', '--x\r\n'],
    ['a JSON array', 'application/json', '[1, 2]'],
    ['text', 'text/plain', 'grant_type=password'],
  ];
  for (const [name, contentType, payload] of bodies) {
    it(`answers ${name} with 400 invalid_request in RFC 6749's shape`, async () => {
      const response = await test.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 400, response.body);
      const body = response.json();
      assert.equal(body.error, 'invalid_request');
      assert.equal(typeof body.error_description, 'string');
      assert.equal(body.message, body.error_description);
      assert.match(String(response.headers['x-request-id']), REQUEST_ID);
      assert.equal(response.headers['cache-control'], 'no-store');
    });
  }

  it('answers {} with 400 invalid_request naming grant_type', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/oauth/token', payload: {} });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error_description, /grant_type/);
  });
});
