import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

/*
 * What a body costs to parse, by its number of fields and its format: an
 * ordinary job post, bodies at the 1,000-field limit (answered 422) and
 * 60,000-key bodies (refused 413). In one process through inject, so the
 * figures are server CPU; reported as ratios to the ordinary post, with the
 * longest event-loop stall each kind caused.
 *
 *   node --import tsx bench/bodies.ts [--requests 30]
 */
const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '30' } } });
const requests = Number(args.requests);

const folder = mkdtempSync(join(tmpdir(), 'jobspace-bench-bodies-'));
const credentials = { client_id: 'bench-client', client_secret: 'bench-secret', username: 'bench@example.com', password: 'bench-password' };
const app = await buildApp(loadConfig({
  DATABASE_URL: `sqlite:${join(folder, 'bench.sqlite')}`, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0',
  JOBSPACE_DEMO_CLIENT_ID: credentials.client_id, JOBSPACE_DEMO_CLIENT_SECRET: credentials.client_secret,
  JOBSPACE_DEMO_USERNAME: credentials.username, JOBSPACE_DEMO_PASSWORD: credentials.password,
}));
const token = (await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'password', ...credentials } })).json().access_token;

const keys = (n: number) => Array.from({ length: n }, (_, i) => `a[${i}]`);
const formats = {
  JSON: { type: 'application/json', build: (n: number) => JSON.stringify(Object.fromEntries(keys(n).map((key) => [key, '1']))) },
  urlencoded: { type: 'application/x-www-form-urlencoded', build: (n: number) => keys(n).map((key) => `${key}=1`).join('&') },
  multipart: {
    type: 'multipart/form-data; boundary=b',
    build: (n: number) => `${keys(n).map((key) => `--b\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n1\r\n`).join('')}--b--\r\n`,
  },
};
let reference = 0;
const job = () => JSON.stringify({
  organisation: 'JDT', job_category: 'ACCOUNTS_MANAGER', job_type: 'perm_fulltime', reference: `BENCH-${(reference += 1)}`,
  name: 'Accountant', description: 'Keep the books.', open_date: '2026-01-01', country: 'GB', premise: '1 Road',
  main_area: 'Sheffield', salary_frequency: 'ANNUALLY', salary_currency: 'GBP', salary_text: 'Good', apply_type: 'SIGNUP', sites: [1],
});

async function measure(name: string, type: string, payload: () => string) {
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  let status = 0;
  stalls.enable();
  for (let i = 0; i < requests; i += 1) {
    const body = payload();
    const started = performance.now();
    const response = await app.inject({ method: 'POST', url: '/api/job', payload: body, headers: { authorization: `Bearer ${token}`, 'content-type': type } });
    times.push(performance.now() - started);
    status = response.statusCode;
  }
  stalls.disable();
  times.sort((a, b) => a - b);
  return { name, status, bytes: Buffer.byteLength(payload()), median: times[Math.floor(times.length / 2)] as number, stall: stalls.max / 1e6 };
}

await measure('warm-up', 'application/json', job);
const rows = [await measure('ordinary job post (JSON)', 'application/json', job)];
for (const [format, { type, build }] of Object.entries(formats)) {
  const atLimit = build(1000);
  const huge = build(60_000);
  rows.push(await measure(`1,000 fields, ${format}`, type, () => atLimit));
  rows.push(await measure(`60,000 keys, ${format}`, type, () => huge));
}
const baseline = rows[0]!.median;
console.log(`${requests} requests each, in one process (inject); median ms and its ratio to an ordinary post\n`);
console.log('| body | bytes | status | median ms | × ordinary post | longest stall ms |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(`| ${row.name} | ${row.bytes.toLocaleString('en')} | ${row.status} | ${row.median.toFixed(2)} | ${(row.median / baseline).toFixed(1)} | ${row.stall.toFixed(1)} |`);
}
await app.close();
rmSync(folder, { recursive: true, force: true });
