import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { demoCredentials, prepareDataset } from './http/dataset.ts';

/*
 * What a create costs the server, in one process through inject: a store of
 * N fake jobs (seeded, or a copy of one kept before), then creates at a fixed
 * number in flight, as the HTTP benchmark's create scenario sends them.
 * Prints creates/s, the process's CPU per create and, with --statements,
 * the time SQLite spent in each statement (better-sqlite3's run/all/get,
 * timed around each call).
 *
 *   node --import tsx bench/creates.ts [--jobs 100000] [--creates 3000] [--in-flight 32] [--statements]
 *     [--keep FILE | --reuse FILE]
 */
const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    creates: { type: 'string', default: '3000' },
    'in-flight': { type: 'string', default: '32' },
    statements: { type: 'boolean', default: false },
    keep: { type: 'string' },
    reuse: { type: 'string' },
  },
});
const inFlight = Number(args['in-flight']);
const perLoop = Math.ceil(Number(args.creates) / inFlight);
const credentials = demoCredentials();
const say = (line: string) => process.stderr.write(`${line}\n`);

const folder = mkdtempSync(join(tmpdir(), 'jobspace-bench-creates-'));
const file = join(folder, 'bench.sqlite');
const dataset = await prepareDataset({ store: 'sqlite', jobs: args.reuse ? 1 : Number(args.jobs), seed: 1, postgresUrl: '', credentials, say });
copyFileSync(args.reuse ?? dataset.databaseUrl.replace(/^sqlite:/, ''), file);
if (args.keep) copyFileSync(file, args.keep);
await dataset.drop();

const spent = new Map<string, { calls: number; ms: number }>();
if (args.statements) {
  const statement = Object.getPrototypeOf(new SQLite(':memory:').prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  for (const method of ['run', 'all', 'get']) {
    const original = statement[method]!;
    statement[method] = function (this: { source: string }, ...params: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, params);
      } finally {
        const sql = this.source.replace(/\s+/g, ' ').slice(0, 80);
        const entry = spent.get(sql) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += performance.now() - started;
        spent.set(sql, entry);
      }
    };
  }
}

const app = await buildApp(loadConfig({
  DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0',
  JOBSPACE_DEMO_CLIENT_ID: credentials.clientId, JOBSPACE_DEMO_CLIENT_SECRET: credentials.clientSecret,
  JOBSPACE_DEMO_USERNAME: credentials.username, JOBSPACE_DEMO_PASSWORD: credentials.password,
}));
const grant = { grant_type: 'password', client_id: credentials.clientId, client_secret: credentials.clientSecret, username: credentials.username, password: credentials.password };
const token = (await app.inject({ method: 'POST', url: '/oauth/token', payload: grant })).json().access_token as string;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/vnd.jb.v1+json' };
const { organisation, siteIds, vocabulary } = dataset;
const run = Date.now().toString(36);
let sent = 0;
let refused = 0;

function body(): string {
  sent += 1;
  return JSON.stringify({
    organisation, job_category: vocabulary.categoryHandles[sent % vocabulary.categoryHandles.length], job_type: 'perm_fulltime',
    reference: `BENCH-${run}-${sent}`, name: 'Bench Test Analyst',
    description: '<p>Measure the <b>throughput</b> of a job board and report what limits it.</p>',
    open_date: new Date().toISOString().slice(0, 10), country: 'GB', premise: '1 Example Road',
    main_area: vocabulary.towns[sent % vocabulary.towns.length], salary_frequency: 'ANNUALLY', salary_currency: 'GBP',
    salary_from: 30000, salary_to: 40000, salary_text: '£30,000 to £40,000 a year', apply_type: 'SIGNUP', sites: siteIds,
  });
}

async function createInTurn(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const answer = await app.inject({ method: 'POST', url: '/api/job', payload: body(), headers });
    if (answer.statusCode !== 201 && (refused += 1) === 1) say(`a create answered ${answer.statusCode}: ${answer.body.slice(0, 300)}`);
  }
}

const together = (count: number) => Promise.all(Array.from({ length: inFlight }, () => createInTurn(count)));
await together(3);
spent.clear();
const cpuBefore = process.cpuUsage();
const started = performance.now();
await together(perLoop);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const creates = perLoop * inFlight;
console.log(`${creates} creates, ${inFlight} in flight, on ${args.reuse ?? `${dataset.jobs} jobs`}: ${Math.round(creates / seconds)}/s, ` +
  `CPU ${((cpu.user + cpu.system) / 1000 / creates).toFixed(3)} ms a create (system ${(cpu.system / 1000 / creates).toFixed(3)}), ${refused} refused`);
if (args.statements) {
  const rows = [...spent].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, entry]) => sum + entry.ms, 0);
  console.log(`SQLite: ${(total / creates * 1000).toFixed(0)} µs a create\n\n| µs a create | calls a create | statement |\n|---:|---:|---|`);
  for (const [sql, entry] of rows.slice(0, 20)) {
    console.log(`| ${(entry.ms / creates * 1000).toFixed(1)} | ${(entry.calls / creates).toFixed(2)} | \`${sql}\` |`);
  }
}
await app.close();
rmSync(folder, { recursive: true, force: true });
