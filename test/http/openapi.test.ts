import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { ResponseCheck } from '../support/response-check.ts';

/* The document is built from the routes alone, whatever the store: one app on SQLite reads it. */

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const REDOCLY_CLI = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

function operationsOf(document: Json): { path: string; method: string; operation: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).filter(([method]) => METHODS.includes(method)).map(([method, operation]) => ({ path, method, operation })),
  );
}

/** A `$ref` inside the document, followed; anything else as it is. */
function resolve(document: Json, node: Json): Json {
  if (typeof node?.$ref !== 'string') return node;
  return (node.$ref as string).slice(2).split('/').reduce((at: Json, key) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

/*
 * Redocly's CLI on the document, with its recommended rules, offline: no
 * telemetry, no update check, no project config (it runs in a folder of its own).
 */
async function redoclyLint(document: Json): Promise<{ totals: { errors: number; warnings: number }; problems: Json[] }> {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-openapi-'));
  try {
    writeFileSync(join(folder, 'openapi.json'), JSON.stringify(document));
    writeFileSync(join(folder, 'redocly.yaml'), 'extends:\n  - recommended\ntelemetry: off\n');
    const env = { PATH: process.env.PATH, HOME: folder, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const run = await promisify(execFile)(process.execPath, [REDOCLY_CLI, 'lint', 'openapi.json', '--config', 'redocly.yaml', '--format', 'json'], { cwd: folder, env, maxBuffer: 16 * 1024 * 1024 })
      // Problems of the error level make the CLI exit 1; its report is on stdout all the same.
      .catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? '' }));
    return JSON.parse(run.stdout);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('GET /openapi.json', () => {
  let test: TestApp;
  let document: Json;
  before(async () => {
    test = await buildTestApp('sqlite');
    const response = await test.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    document = response.json();
  });
  after(() => test.close());

  const operation = (method: string, path: string) => {
    const found = document.paths[path]?.[method];
    assert.ok(found, `${method.toUpperCase()} ${path} is documented`);
    return found as Json;
  };
  const response = (method: string, path: string, status: string) => resolve(document, operation(method, path).responses[status]);

  it('is an OpenAPI 3.1 document that the OpenAPI 3.1 schema validator accepts', async () => {
    assert.equal(document.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
  });

  it("passes Redocly's recommended rules without an error or a warning", async (t) => {
    const report = await redoclyLint(document);
    for (const problem of report.problems) t.diagnostic(`${problem.severity} ${problem.ruleId}: ${problem.message}`);
    assert.equal(report.totals.errors, 0);
    assert.equal(report.totals.warnings, 0);
  });

  it('documents every write body in multipart/form-data, urlencoded and JSON, with one schema', () => {
    const writes = operationsOf(document).filter(({ operation }) => operation.requestBody);
    assert.ok(writes.length >= 10);
    for (const { path, method, operation: write } of writes) {
      const content = write.requestBody.content;
      assert.deepEqual(Object.keys(content), ['multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'], `${method} ${path}`);
      assert.equal(new Set(Object.values(content).map((media: any) => JSON.stringify(media.schema))).size, 1, `${method} ${path}`);
    }
  });

  it("accepts R2's handles for POST /api/job: job_category_id, job_type_id and country_id are required under either name", () => {
    const body = resolve(document, operation('post', '/api/job').requestBody.content['multipart/form-data'].schema);
    for (const name of ['job_category_id', 'job_type_id', 'country_id']) assert.ok(!body.required.includes(name), `${name} is not required alone`);
    assert.ok(body.required.includes('reference'));
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(body);
    const common = {
      organisation: 'JDT', reference: 'JDT/1', name: 'Job Title', description: 'The jobs description', open_date: '2017-12-01',
      premise: '1 Example Road', main_area: 'Sheffield', salary_frequency: 'HOURLY', salary_currency: 'GBP', salary_text: 'Competitive',
      apply_type: 'SIGNUP', sites: [1, 2],
    };
    assert.equal(validate({ ...common, job_category_id: 1, job_type_id: 1, country_id: 229 }), true, 'R1 ids');
    assert.equal(validate({ ...common, job_category: 'ACCOUNTS_MANAGER', job_type: 'perm_fulltime', country: 'GB' }), true, 'R2 handles');
    assert.equal(validate({ ...common, job_type: 'perm_fulltime', country: 'GB' }), false, 'no category at all');
    const update = resolve(document, operation('post', '/api/job/{id}/update').requestBody.content['application/json'].schema);
    assert.equal(update.required, undefined, 'an update requires nothing (and has no empty required list)');
  });

  it('types every path id as an integer of the routes\' 1 to 10 digits', () => {
    const withId = operationsOf(document).filter(({ path }) => path.includes('{id}'));
    assert.ok(withId.length >= 29);
    for (const { path, operation: each } of withId) {
      const id = each.parameters.find((parameter: Json) => parameter.in === 'path' && parameter.name === 'id');
      assert.deepEqual(id?.schema, { type: 'integer', format: 'int64', minimum: 1, maximum: 9_999_999_999 }, path);
    }
    assert.deepEqual(operation('get', '/media/{name}').parameters.find((parameter: Json) => parameter.in === 'path').schema, { type: 'string' });
  });

  it('describes every response by its status, never as "Default Response"', () => {
    for (const { path, method, operation: each } of operationsOf(document)) {
      for (const [status, answer] of Object.entries(each.responses as Json)) {
        const { description } = resolve(document, answer);
        assert.ok(description && description !== 'Default Response', `${method} ${path} ${status}: ${description}`);
      }
    }
    assert.match(response('get', '/api/job/{id}', '410').description, /^Gone/);
  });

  it('lists the 4xx and 5xx statuses of POST /api/job with their headers', () => {
    const headersOf = (status: string) => Object.keys(response('post', '/api/job', status).headers ?? {});
    for (const status of ['400', '401', '402', '403', '404', '405', '406', '409', '413', '415', '422', '429', '500', '503']) {
      assert.ok(headersOf(status).includes('X-Request-Id'), status);
    }
    assert.ok(headersOf('401').includes('WWW-Authenticate'));
    assert.ok(headersOf('405').includes('Allow'));
    for (const name of ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) assert.ok(headersOf('429').includes(name), name);
    assert.ok(headersOf('503').includes('Retry-After'));
    assert.deepEqual(response('post', '/api/job', '422').content['application/json'].example.data.status_code, 422);
    for (const name of ['ETag', 'Idempotent-Replayed', 'X-RateLimit-Remaining']) assert.ok(headersOf('201').includes(name), name);
  });

  it('documents the request headers: Idempotency-Key on writes, If-Match and If-None-Match where honoured, X-Request-Id everywhere', () => {
    const headers = (method: string, path: string) =>
      operation(method, path).parameters.map((parameter: Json) => resolve(document, parameter)).filter((parameter: Json) => parameter.in === 'header').map((parameter: Json) => parameter.name);
    assert.deepEqual(headers('post', '/api/job'), ['X-Request-Id', 'Idempotency-Key']);
    assert.deepEqual(headers('post', '/api/job/{id}/update'), ['X-Request-Id', 'Idempotency-Key', 'If-Match']);
    assert.deepEqual(headers('get', '/api/job/{id}'), ['X-Request-Id', 'If-None-Match']);
    assert.ok(operation('get', '/api/job/{id}').responses['304']);
    assert.ok(Object.keys(response('get', '/api/job/{id}', '200').headers).includes('ETag'));
  });

  it('offers OAuth 2 password and client-credentials flows with refresh at /oauth/token, bearer tokens and R2 Basic', () => {
    const schemes = document.components.securitySchemes;
    for (const flow of ['password', 'clientCredentials']) {
      assert.equal(schemes.oauth2.flows[flow].tokenUrl, 'http://jobs.test/oauth/token');
      assert.equal(schemes.oauth2.flows[flow].refreshUrl, 'http://jobs.test/oauth/token');
    }
    assert.deepEqual(schemes.bearer, { ...schemes.bearer, type: 'http', scheme: 'bearer' });
    assert.deepEqual([schemes.basic.scheme, schemes.clientId.name, schemes.clientSecret.name], ['basic', 'Client-Id', 'Client-Secret']);
    assert.deepEqual(document.security, [{ oauth2: [] }, { bearer: [] }, { basic: [], clientId: [], clientSecret: [] }]);
  });

  it('asks for no credentials on /oauth/token, /oauth/revoke, health checks, logos and CV links, and for them under /api', () => {
    for (const [method, path] of [['post', '/oauth/token'], ['post', '/oauth/revoke'], ['get', '/health/live'], ['get', '/health/ready'], ['get', '/media/{name}'], ['get', '/applications/{id}/cv']]) {
      assert.deepEqual(operation(method!, path!).security, [], `${method} ${path}`);
    }
    for (const { path, operation: each } of operationsOf(document).filter(({ path }) => path.startsWith('/api/'))) {
      assert.equal(each.security, undefined, `${path} takes the document's security`);
      assert.ok(each.responses['401'], `${path} answers 401`);
    }
  });

  it('gives every operation a unique operationId, and marks each /admin/api operation as the alias of its /api one', () => {
    const operations = operationsOf(document);
    const ids = operations.map(({ operation: each }) => each.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0));
    assert.equal(new Set(ids).size, ids.length);
    const aliases = operations.filter(({ path }) => path.startsWith('/admin/api/'));
    assert.equal(aliases.length, operations.filter(({ path }) => path.startsWith('/api/')).length);
    for (const { path, method, operation: alias } of aliases) {
      const original = path.slice('/admin'.length);
      assert.equal(alias['x-alias-of'], original);
      assert.equal(alias.operationId, `admin${operation(method, original).operationId.replace(/^./, (first: string) => first.toUpperCase())}`);
    }
  });

  it('names the server from PUBLIC_URL and documents versioning by Accept (406 on every /api operation)', () => {
    assert.deepEqual(document.servers.map((server: Json) => server.url), ['http://jobs.test']);
    assert.match(document.info.description, /application\/vnd\.jb\.v1\+json/);
    for (const { path, operation: each } of operationsOf(document).filter(({ path }) => path.startsWith('/api/') || path.startsWith('/oauth/'))) {
      assert.match(resolve(document, each.responses['406']).description, /vnd\.jb\.v1\+json/, path);
    }
  });

  it('shares the job resource, the error envelope, the OAuth error and the pagination meta as components', () => {
    const text = JSON.stringify(document.paths);
    for (const name of ['Job', 'ErrorEnvelope', 'OAuthError', 'Pagination']) {
      assert.ok(document.components.schemas[name], name);
      assert.ok(text.includes(`"#/components/schemas/${name}"`) || JSON.stringify(document.components).includes(`"#/components/schemas/${name}"`), `${name} is referred to`);
    }
    assert.deepEqual(response('get', '/api/job/{id}', '200').content['application/json'].schema.properties.data, { $ref: '#/components/schemas/Job' });
    assert.deepEqual(resolve(document, response('post', '/oauth/token', '401').content['application/json'].schema), document.components.schemas.OAuthError);
  });
});

describe('no drift: every answer of a test app is checked against the document (test/support/response-check.ts)', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp('sqlite');
    await test.app.ready();
  });
  after(() => test.close());

  const answer = (status: number, body: string) =>
    ({ statusCode: status, getHeader: (name: string) => (name === 'content-type' ? 'application/json; charset=utf-8' : undefined) }) as never;

  it('records a status the operation does not list, and a body that does not match the listed schema', () => {
    const check = new ResponseCheck(test.app);
    check.check({ method: 'GET', url: '/api/job/7?x=1' } as never, answer(418, '{}'), '{}');
    check.check({ method: 'GET', url: '/api/job/7' } as never, answer(200, '{"data": 5}'), '{"data": 5}');
    check.check({ method: 'GET', url: '/api/job/suggest' } as never, answer(200, '{"data": []}'), '{"data": []}');
    assert.equal(check.mismatches.length, 2, check.mismatches.join('\n'));
    assert.match(check.mismatches[0] as string, /^GET \/api\/job\/7 → 418: status not in the document/);
    assert.match(check.mismatches[1] as string, /^GET \/api\/job\/7 → 200: /);
  });

  it('leaves alone the routes the document does not describe', () => {
    const check = new ResponseCheck(test.app);
    check.check({ method: 'GET', url: '/no/such/route' } as never, answer(404, '{}'), '{}');
    assert.deepEqual(check.mismatches, []);
  });
});
