import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import type { Measurement } from './load.ts';
import type { BenchOptions } from './options.ts';
import { ROOT } from './processes.ts';
import { TARGETS_SETTING } from './targets.ts';

/* The run as markdown: one section, newest at the top of bench/RESULTS.md. */

export interface Row {
  readonly label: string;
  readonly measurement: Measurement;
}

export interface RunReport {
  readonly options: BenchOptions;
  readonly command: string;
  readonly startedAt: Date;
  readonly jobs: number;
  readonly seedSeconds: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  /** Memory of the idle server, after start and before the first scenario. */
  readonly idleRssBytes: number;
  readonly rows: readonly Row[];
  /** What happened during the run that a reader of the figures should know. */
  readonly notes: readonly string[];
  readonly ceilingRatios: readonly CeilingRatio[];
  readonly targets: readonly string[];
}

/** A scenario's throughput against its ceiling's, in requests/s. */
export interface CeilingRatio {
  /** The row of our server's run. */
  readonly scenario: string;
  /** What the ceiling answers with. */
  readonly answers: string;
  readonly ratio: number;
  /** The mean of the ceiling runs before and after ours. */
  readonly ceiling: number;
  readonly before: number;
  readonly after: number;
  readonly ours: number;
}

/** Ceiling runs further apart than this say the machine was busy with other work. */
const CEILING_SPREAD = 0.25;

export interface MachineFacts {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly commit: string;
}

export function machineFacts(): MachineFacts {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/RESULTS.md'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    // The results file itself changes with every run, so it does not count.
    if (dirty !== '') commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os: `${platform()} ${arch()}`,
    commit,
  };
}

/** How the run was started, to print above its figures: `npm run <script> -- …` under npm, else node on the file. */
export function commandLine(argv: readonly string[], npmScript: string, file: string): string {
  const quoted = argv.map((arg) => (/^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
  const base = process.env.npm_lifecycle_event === npmScript ? `npm run ${npmScript} --` : `node --import tsx ${file}`;
  return argv.length > 0 ? `${base} ${quoted}` : base.replace(/ --$/, '');
}

export const currentLoad = () => loadavg().map((value) => Math.round(value * 100) / 100);

export const whole = (value: number) => Math.round(value).toLocaleString('en-GB');
export const milliseconds = (value: number) => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
export const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

export function resultsTable(rows: readonly Row[]): string {
  const lines = [
    '| scenario | requests/s | p50 ms | p95 ms | p99 ms | errors | non-2xx | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { label, measurement: m } of rows) {
    const cells = [label, whole(m.requestsPerSecond), milliseconds(m.latency.p50), milliseconds(m.latency.p95), milliseconds(m.latency.p99)];
    lines.push(`| ${[...cells, String(m.errors), String(m.non2xx), megabytes(m.peakRssBytes)].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function heading(report: RunReport): string {
  const date = report.startedAt.toISOString().slice(0, 10);
  return `## HTTP, ${report.options.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${whole(report.jobs)} jobs, WORKERS=${report.options.workers} (${date})`;
}

export function renderSection(report: RunReport, facts: MachineFacts): string {
  const { options } = report;
  const lines = [
    heading(report),
    '',
    `\`${report.command}\``,
    '',
    `- Machine: ${facts.cores} cores (os.availableParallelism()), ${facts.cpu}, ${facts.memoryGiB.toFixed(1)} GiB, ${facts.os}; Node ${facts.node}; commit ${facts.commit}.`,
    `- Load average (1, 5, 15 min): ${report.loadBefore.join(', ')} before, ${report.loadAfter.join(', ')} after. The client (autocannon) runs on the same cores as the server.`,
    `- autocannon: ${options.connections} connections, ${options.duration} s per scenario after ${options.warmup} s of warm-up. Seeded ${whole(report.jobs)} jobs in ${report.seedSeconds.toFixed(0)} s before the server started; idle server ${megabytes(report.idleRssBytes)} MB RSS.`,
    '',
    resultsTable(report.rows),
    '',
  ];
  for (const { scenario, answers, ratio, ceiling, ours } of report.ceilingRatios) {
    const name = scenario.charAt(0).toUpperCase() + scenario.slice(1);
    lines.push(`${name}: ${whole(ours)} requests/s, **${ratio.toFixed(2)}** of the ceiling (${whole(ceiling)} requests/s, the mean of the runs before and after): a bare node:http process ${answers}.`, '');
  }
  const notes = [...statusNotes(report.rows), ...report.ceilingRatios.flatMap(ceilingNotes), ...report.notes];
  if (notes.length > 0) lines.push(...notes.map((note) => `- ${note}`), '');
  if (report.targets.length > 0) lines.push(`Targets (${TARGETS_SETTING}):`, '', ...report.targets.map((target) => `- ${target}`), '');
  return lines.join('\n');
}

/** Which statuses a scenario answered when some were not 2xx. */
function statusNotes(rows: readonly Row[]): string[] {
  return rows
    .filter(({ measurement }) => measurement.non2xx > 0)
    .map(({ label, measurement }) => {
      const codes = Object.entries(measurement.statusCodes).map(([code, count]) => `${count.toLocaleString('en-GB')} × ${code}`);
      return `${label} answered ${codes.join(', ')}.`;
    });
}

function ceilingNotes(ceiling: CeilingRatio): string[] {
  const spread = Math.abs(ceiling.before - ceiling.after) / Math.max(ceiling.before, ceiling.after);
  if (spread <= CEILING_SPREAD) return [];
  return [`The two ceiling runs around ${ceiling.scenario} differ by ${(spread * 100).toFixed(0)}% (${whole(ceiling.before)} and ${whole(ceiling.after)} requests/s): other work on the machine took its share, so the ratio is rough.`];
}

/** Puts the section above every other `## ` section, so newer results come first. */
export function insertSection(existing: string | null, section: string): string {
  if (existing === null || existing.trim() === '') return `# Benchmark results\n\n${section}`;
  const lines = existing.split('\n');
  const first = lines.findIndex((line) => line.startsWith('## '));
  if (first === -1) return `${existing.replace(/\n*$/, '\n\n')}${section}`;
  return [...lines.slice(0, first), ...section.replace(/\n*$/, '\n').split('\n'), ...lines.slice(first)].join('\n');
}

/** Re-reads the file just before writing it, so a section another run added meanwhile is kept. */
export function writeSection(file: string, section: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : null;
  writeFileSync(file, insertSection(existing, section));
}
