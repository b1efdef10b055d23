import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, buildTestApp, issueToken, type TestApp } from '../support/app.ts';
import { jobJson } from '../support/fixtures.ts';
import { freePort } from '../../bench/http/processes.ts';
import { withCodeExamples } from '../../src/http/docs-examples.ts';

/*
 * The examples the reference page shows (src/http/docs-examples.ts), taken
 * from the document and run as a developer would paste them: the curl one
 * in bash, the Python one with requests, against a listening server.
 */

const run = promisify(execFile);

/** The fenced block of this language in an operation's description. */
function codeBlock(description: string, language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(description);
  assert.ok(match, `no ${language} example in:\n${description}`);
  return match[1] as string;
}

describe('the reference page\'s examples', { timeout: 60_000 }, () => {
  let test: TestApp;
  let token: string;
  let jobId: number;
  let description: string;
  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    test = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await test.app.listen({ port, host: '127.0.0.1' });
    token = await issueToken(test.app);
    const created = await test.app.inject({ method: 'POST', url: '/api/job', headers: auth(token), payload: jobJson() });
    jobId = created.json().data.id;
    const document = withCodeExamples((await test.app.inject({ url: '/openapi.json' })).json(), base);
    description = (document.paths as Record<string, { get: { description: string } }>)['/api/job/{id}']?.get.description as string;
  });
  after(() => test.close());

  it('read a job with curl, pasted into bash with $TOKEN set', async () => {
    const { stdout } = await run('bash', ['-c', codeBlock(description, 'sh')], { env: { ...process.env, TOKEN: token } });
    assert.equal(JSON.parse(stdout).data.id, jobId);
  });

  it('read a job with Python requests, given `token`', async (context) => {
    const hasRequests = await run('python3', ['-c', 'import requests']).then(() => true, () => false);
    if (!hasRequests) return context.skip('python3 with requests is not installed');
    const script = `token = ${JSON.stringify(token)}\n${codeBlock(description, 'python')}`;
    const { stdout } = await run('python3', ['-c', script]);
    assert.match(stdout, new RegExp(`^200 \\{'data': \\{'id': ${jobId},`));
  });

  it('name the required fields of a body as multipart fields, and no bearer token where none is needed', () => {
    const document = withCodeExamples({
      security: [{ bearer: [] }],
      paths: {
        '/oauth/token': { post: { security: [], requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['grant_type'], properties: { grant_type: { enum: ['password'] } } } } } } } },
      },
    }, 'https://jobs.example/');
    const text = (document.paths as Record<string, { post: { description: string } }>)['/oauth/token']?.post.description as string;
    assert.match(text, /--form-string 'grant_type=password' \\\n {2}'https:\/\/jobs\.example\/oauth\/token'/);
    assert.doesNotMatch(text, /Authorization/);
    assert.match(text, /files=\{"grant_type": \(None, "password"\)\}/);
    assert.match(text, /CURLOPT_POSTFIELDS => \['grant_type' => 'password'\]/);
  });
});
