import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { buildTestApp, DEMO, type TestApp } from '../support/app.ts';
import { freePort } from '../../bench/http/processes.ts';

/*
 * GET /docs in a real browser: Debian's Chromium driven by playwright-core,
 * every request to another host refused and recorded, so that the page
 * proves it works without the internet. It finds every group of the
 * document, asks for a token and lists jobs through the page's own "Try it
 * out", as a vendor's developer would, and leaves screenshots of each step
 * in test-artifacts/docs/. Without Chromium (apt-get install chromium) the
 * suite skips, except in CI, where it must run.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const ARTIFACTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-artifacts', 'docs');
const STEP_TIMEOUT_MS = 20_000;

const missingChromium = !existsSync(CHROMIUM);
if (missingChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing, and CI must run the browser test (apt-get install -y chromium)`);
if (missingChromium) process.stderr.write(`# ${CHROMIUM} missing: skipping the /docs browser test (apt-get install -y chromium)\n`);

/** The operation block of this method and path, as Swagger UI draws it. */
function operation(page: Page, method: string, path: string): Locator {
  return page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) }).first();
}

/** The Authorize dialog's part whose heading matches: `bearer  (http, Bearer)`, `oauth2 (OAuth2, password)`. */
function authorisation(page: Page, heading: RegExp): Locator {
  return page.locator('.auth-container').filter({ has: page.locator('h4', { hasText: heading }) }).first();
}

/** Opens an operation, fills in its request, sends it, and answers the status and body the page shows. */
async function tryItOut(page: Page, block: Locator, fill: (block: Locator) => Promise<void> = async () => undefined): Promise<{ status: number; body: string }> {
  await block.locator('.opblock-summary').click();
  await block.locator('.try-out__btn').click();
  await fill(block);
  await block.locator('.execute').click();
  const status = block.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor({ timeout: STEP_TIMEOUT_MS });
  const body = await block.locator('.live-responses-table tr.response .response-col_description pre').first().innerText();
  return { status: Number((await status.innerText()).trim()), body };
}

describe('GET /docs in Chromium', { skip: missingChromium && `${CHROMIUM} missing`, timeout: 120_000 }, () => {
  let test: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  const outside: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    test = await buildTestApp('sqlite', { PUBLIC_URL: base });
    await test.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
  });
  after(async () => {
    await browser?.close();
    await test?.close();
  });

  it('draws every group of the document, loading nothing from another host', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.opblock-tag').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    const document = (await test.app.inject({ url: '/openapi.json' })).json();
    const tags = new Set<string>();
    for (const item of Object.values(document.paths) as Record<string, { tags?: string[] }>[]) {
      for (const operationOf of Object.values(item)) for (const tag of operationOf.tags ?? []) tags.add(tag);
    }
    const drawn = await page.locator('.opblock-tag').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-tag')));
    assert.deepEqual(new Set(drawn), tags);
    await shot('1-groups');
    assert.deepEqual(outside, []);
  });

  it('shows curl, Python and PHP examples for an operation', async () => {
    const block = operation(page, 'get', '/api/job/{id}');
    await block.locator('.opblock-summary').click();
    const description = block.locator('.opblock-description-wrapper');
    await description.waitFor({ timeout: STEP_TIMEOUT_MS });
    const text = await description.innerText();
    assert.match(text, /curl -s/);
    assert.match(text, /import requests/);
    assert.match(text, /curl_init\(/);
    await shot('2-examples');
    await block.locator('.opblock-summary').click();
  });

  let token = '';
  it('asks for a token through "Try it out" on POST /oauth/token', async () => {
    const block = operation(page, 'post', '/oauth/token');
    const answer = await tryItOut(page, block, async (opened) => {
      const contentType = opened.locator('.body-param-content-type select, .content-type-wrapper select').first();
      if (await contentType.count()) await contentType.selectOption('application/json');
      const body = JSON.stringify({ grant_type: 'password', client_id: DEMO.clientId, client_secret: DEMO.clientSecret, username: DEMO.username, password: DEMO.password });
      await opened.locator('textarea.body-param__text').fill(body);
    });
    await shot('3-token');
    assert.equal(answer.status, 200, answer.body);
    token = JSON.parse(answer.body).access_token;
    assert.ok(token);
  });

  it('lists the jobs through "Try it out" on GET /api/job, authorised with that token', async () => {
    await page.locator('.btn.authorize').first().click();
    const bearer = authorisation(page, /^bearer\s/);
    await bearer.locator('input').first().fill(token);
    await bearer.locator('.auth-btn-wrapper .authorize').click();
    await page.locator('.btn-done').first().click();
    const answer = await tryItOut(page, operation(page, 'get', '/api/job'));
    await shot('4-jobs');
    assert.equal(answer.status, 200, answer.body);
    assert.ok(Array.isArray(JSON.parse(answer.body).data));
    assert.deepEqual(outside, []);
  });

  it('authorises through the OAuth2 password flow of the Authorize dialog, which asks this server for the token', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.btn.authorize').first().click();
    const password = authorisation(page, /^oauth2 \(OAuth2, password\)/);
    await password.locator('input[id^="oauth_username"]').fill(DEMO.username);
    await password.locator('input[id^="oauth_password"]').fill(DEMO.password);
    await password.locator('input[data-name="clientId"]').fill(DEMO.clientId);
    await password.locator('input[data-name="clientSecret"]').fill(DEMO.clientSecret);
    await password.locator('.auth-btn-wrapper .authorize').click();
    // Authorised, the form gives way to a Logout button.
    await password.locator('.auth-btn-wrapper button', { hasText: 'Logout' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await shot('5-oauth2-authorised');
    await page.locator('.btn-done').first().click();
    const answer = await tryItOut(page, operation(page, 'get', '/api/job'));
    await shot('6-jobs-with-oauth2');
    assert.equal(answer.status, 200, answer.body);
    assert.ok(Array.isArray(JSON.parse(answer.body).data));
    assert.deepEqual(outside, []);
  });
});
