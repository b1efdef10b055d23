import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SeedOutcome } from '../src/seed/fake-jobs.ts';

/* The search benchmark's report: a markdown section of bench/RESULTS.md, one subsection per store. */

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly commit: string;
  /** 1-minute load average at the start: the machine may be shared, and latency shows it. */
  readonly load: number;
}

export interface Measured {
  readonly name: string;
  /** The p95 to meet, in ms, if any. */
  readonly target: number | null;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  /** Mean number of jobs matched (the pagination total), for lists. */
  readonly meanTotal: number | null;
  /** Set when a request outlasted this many seconds, which ended the scenario. */
  readonly timeoutSeconds: number | null;
}

export interface StoreResult {
  readonly store: 'sqlite' | 'postgres';
  readonly seeding: SeedOutcome;
  readonly sizeBytes: number;
  readonly results: readonly Measured[];
}

export interface Report {
  readonly jobs: number;
  readonly command: string;
  readonly machine: Machine;
  readonly results: readonly StoreResult[];
  readonly requests: number;
  readonly warmup: number;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machine(): Machine {
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  // The results file itself changes with every run, so it does not count.
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/RESULTS.md']) !== '';
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: dirty ? `${commit} (with uncommitted changes)` : commit,
    load: Number(loadavg()[0]?.toFixed(1)),
  };
}

const STORE_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const thousands = (value: number) => Math.round(value).toLocaleString('en-GB');

function storeSubsection(result: StoreResult, report: Report): string {
  const { seeding } = result;
  const { machine: m } = report;
  const phases = seeding.phaseSeconds;
  const rows = result.results.map((row) => {
    const total = row.meanTotal === null ? '–' : thousands(row.meanTotal);
    if (row.timeoutSeconds !== null) {
      const done = row.count === 0 ? 'none answered' : `${row.count} answered (p50 ${ms(row.p50)} ms)`;
      return `| ${row.name} | ${done} | ❌ a request took over ${row.timeoutSeconds} s, which ended the scenario |||| ${total} |`;
    }
    const verdict = row.target === null ? '' : row.p95 <= row.target ? ` ✅ ≤ ${row.target}` : ` ❌ > ${row.target}`;
    return `| ${row.name} | ${row.count} | ${ms(row.p50)} | ${ms(row.p95)}${verdict} | ${ms(row.p99)} | ${ms(row.mean)} | ${total} |`;
  });
  return [
    `### ${STORE_NAMES[result.store]}`,
    '',
    `Command: \`${report.command}\` at commit ${m.commit}, on ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB memory, ` +
      `Node ${m.node}; 1-minute load average ${m.load} at the start.`,
    '',
    `Seeded ${thousands(seeding.jobs)} jobs in ${seeding.seconds.toFixed(0)} s: ` +
      `${thousands(seeding.jobs / phases.insert)} jobs/s inserting (${phases.insert.toFixed(0)} s, full-text index ${seeding.indexing}), ` +
      `setup ${phases.setup.toFixed(0)} s, index rebuild ${phases.index.toFixed(0)} s, statistics ${phases.statistics.toFixed(0)} s. ` +
      `Store size ${(result.sizeBytes / 2 ** 30).toFixed(2)} GiB.`,
    '',
    `| scenario (${report.warmup} warm-up, then sequential) | requests | p50 ms | p95 ms | p99 ms | mean ms | mean matches |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

function heading(jobs: number): string {
  return `## Search, ${thousands(jobs)} jobs`;
}

const INTRODUCTION = [
  'Made by `bench/search.ts`: a fresh store seeded by `src/seed/fake-jobs.ts`, then the app listening in a child process ' +
    '(`bench/search-server.ts`), asked over HTTP one request at a time with a vendor token of the demo tenant, which sees ' +
    'all its jobs (status any). Latency is the client\'s: routing, auth, SQL, presenting 25 jobs with facets, HTTP on ' +
    'loopback. Words are drawn from role names shared by four or more roles; towns are big British towns; sectors are ' +
    'the taxonomy\'s; prefixes are the first 2–3 letters of role names. A request over the timeout ends its scenario and ' +
    'its server. The machine is shared with other work, so the load average is given with each run.',
  '',
].join('\n');

/** Subsections of an existing section, by store heading, so a run of one store keeps the other's figures. */
function existingSubsections(section: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const match of section.matchAll(/^### (SQLite|PostgreSQL)\n[^]*?(?=^### |(?![^]))/gm)) parts.set(match[1] as string, match[0].trimEnd() + '\n');
  return parts;
}

/** The report's section; written into bench/RESULTS.md in place of an earlier run's, when asked. */
export function writeSection(report: Report, write: boolean): string {
  const before = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const title = heading(report.jobs);
  const start = before.indexOf(`${title}\n`);
  const end = start < 0 ? -1 : before.slice(start + title.length).search(/^## /m);
  const old = start < 0 ? '' : before.slice(start, end < 0 ? undefined : start + title.length + end);
  const subsections = existingSubsections(old);
  for (const result of report.results) subsections.set(STORE_NAMES[result.store], storeSubsection(result, report));
  const ordered = ['SQLite', 'PostgreSQL'].flatMap((name) => subsections.get(name) ?? []);
  const section = `${title}\n\n${INTRODUCTION}\n${ordered.join('\n')}`;
  if (write) {
    const after = start < 0 ? `${before.trimEnd()}\n\n${section}` : `${before.slice(0, start)}${section}\n${before.slice(start + old.length)}`;
    writeFileSync(RESULTS, after.replace(/\n{3,}/g, '\n\n'));
  }
  return section;
}
