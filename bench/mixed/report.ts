import { type MachineFacts, megabytes, milliseconds, whole } from '../http/report.ts';
import type { MixedOptions } from './options.ts';
import { KIND_LABELS, KINDS } from './requests.ts';
import { capacity, PASSING_P99_MS, passes, type StepSummary } from './summary.ts';

/* A mixed-load run as markdown: one section, newest at the top of bench/RESULTS.md. */

const CAPACITY_TARGET = 600;
const LIST_P99_MS = 25;
const TARGETS_SETTING = 'set for SQLite, 100,000 jobs, WORKERS=1';
/** A client sending later than this (p99) was itself short of CPU. */
const CLIENT_LAG_MS = 5;

export interface MixedReport {
  readonly options: MixedOptions;
  readonly command: string;
  readonly startedAt: Date;
  readonly jobs: number;
  readonly seedSeconds: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly idleRssBytes: number;
  readonly steps: readonly StepSummary[];
  readonly notes: readonly string[];
}

function mixLine(options: MixedOptions): string {
  const total = KINDS.reduce((sum, kind) => sum + options.mix[kind], 0);
  return KINDS.filter((kind) => options.mix[kind] > 0)
    .map((kind) => `${Math.round((options.mix[kind] / total) * 1000) / 10}% ${KIND_LABELS[kind]}`)
    .join(', ');
}

function overallTable(steps: readonly StepSummary[]): string[] {
  const lines = [
    '| offered/s | achieved/s | p50 ms | p95 ms | p99 ms | p99 but tokens ms | errors | 503 | peak RSS MB | passes |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const step of steps) {
    const { overall } = step;
    const cells = [whole(step.rate), whole(step.achieved), milliseconds(overall.p50), milliseconds(overall.p95), milliseconds(overall.p99), milliseconds(step.api.p99)];
    lines.push(`| ${[...cells, whole(step.errors), whole(step.refused), megabytes(step.peakRssBytes), passes(step) ? 'yes' : 'no'].join(' | ')} |`);
  }
  return lines;
}

function kindTable(steps: readonly StepSummary[], options: MixedOptions): string[] {
  const kinds = KINDS.filter((kind) => options.mix[kind] > 0);
  const lines = [`| offered/s | ${kinds.map((kind) => KIND_LABELS[kind]).join(' | ')} |`, `| ---: | ${kinds.map(() => '---:').join(' | ')} |`];
  for (const step of steps) {
    const cells = kinds.map((kind) => {
      const { p50, p95, p99 } = step.byKind[kind];
      return `${milliseconds(p50)} / ${milliseconds(p95)} / ${milliseconds(p99)}`;
    });
    lines.push(`| ${whole(step.rate)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function failureNotes(steps: readonly StepSummary[]): string[] {
  const notes: string[] = [];
  for (const step of steps) {
    const failures = Object.entries(step.failures).map(([fate, count]) => `${whole(count)} × ${fate}`);
    if (failures.length > 0) notes.push(`At ${whole(step.rate)}/s the errors were ${failures.join(', ')}.`);
    if (step.sendLagP99Ms > CLIENT_LAG_MS) notes.push(`At ${whole(step.rate)}/s the client sent its requests up to ${milliseconds(step.sendLagP99Ms)} ms late (p99): it was short of CPU too, so the latencies include its lag.`);
    if (step.refusedWithoutRetryAfter > 0) notes.push(`At ${whole(step.rate)}/s ${whole(step.refusedWithoutRetryAfter)} of the 503s had no Retry-After.`);
  }
  return notes;
}

function targets(steps: readonly StepSummary[]): string[] {
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const found = capacity(steps);
  const results = [`≥ ${CAPACITY_TARGET} requests/s with p99 ≤ ${PASSING_P99_MS} ms (password grants aside) and no error: ${found === null ? 'none' : whole(found)}, ${verdict(found !== null && found >= CAPACITY_TARGET)}`];
  const atCapacity = steps.find((step) => step.rate === found);
  if (atCapacity) {
    const list = atCapacity.byKind.list;
    results.push(`list p99 ≤ ${LIST_P99_MS} ms with writes alongside (at ${whole(atCapacity.rate)}/s): ${milliseconds(list.p99)} ms, ${verdict(list.p99 <= LIST_P99_MS)}`);
  }
  const beyond = steps.filter((step) => !passes(step));
  if (beyond.length > 0) {
    const shed = beyond.filter((step) => step.refused > 0 && step.refusedWithoutRetryAfter === 0);
    const described = beyond.map((step) => `${whole(step.rate)}/s: ${whole(step.refused)} × 503, p99 ${milliseconds(step.overall.p99)} ms`).join('; ');
    results.push(`beyond capacity, 503 with Retry-After rather than unbounded queueing: ${described}; ${verdict(shed.length === beyond.length)}`);
  }
  return results;
}

export function renderMixedSection(report: MixedReport, facts: MachineFacts): string {
  const { options, steps } = report;
  const date = report.startedAt.toISOString().slice(0, 10);
  const store = options.store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const found = capacity(steps);
  const lines = [
    `## Mixed load, ${store}, ${whole(report.jobs)} jobs, WORKERS=${options.workers} (${date})`,
    '',
    `\`${report.command}\``,
    '',
    `- Machine: ${facts.cores} cores (os.availableParallelism()), ${facts.cpu}, ${facts.memoryGiB.toFixed(1)} GiB, ${facts.os}; Node ${facts.node}; commit ${facts.commit}.`,
    `- Load average (1, 5, 15 min): ${report.loadBefore.join(', ')} before, ${report.loadAfter.join(', ')} after. The client runs on the same cores as the server.`,
    `- Mix: ${mixLine(options)}; searches from the search mix of \`npm run bench\`, lists of page 1, deep pages and filters, updates and reads of random seeded jobs.`,
    `- Open loop: each rate offered for ${options.secondsPerRate.toFixed(1)} s on a fixed schedule, whether or not earlier requests were answered, after ${options.warmup} s of warm-up at the first rate; each rate starts on an idle server. Latency from when a request was due; at most ${whole(options.maxInFlight)} in flight (a request due beyond that is not sent, an error), abandoned after ${options.timeoutMs / 1000} s (an error). Seeded ${whole(report.jobs)} jobs in ${report.seedSeconds.toFixed(0)} s; idle server ${megabytes(report.idleRssBytes)} MB RSS.`,
    ...(Object.keys(options.serverEnv).length > 0 ? [`- Server environment besides the bench's own: ${Object.entries(options.serverEnv).map(([name, value]) => `\`${name}=${value}\``).join(', ')}.`] : []),
    '',
    ...overallTable(steps),
    '',
    'By kind, p50 / p95 / p99 ms (every answer, whatever its status):',
    '',
    ...kindTable(steps, options),
    '',
    `Highest rate with p99 ≤ ${PASSING_P99_MS} ms (over every request but the password grants, whose scrypt alone is about 100 ms) and no error or 503: **${found === null ? 'none of those offered' : `${whole(found)} requests/s`}**.`,
    '',
  ];
  const notes = [...failureNotes(steps), ...report.notes];
  if (notes.length > 0) lines.push(...notes.map((note) => `- ${note}`), '');
  if (!options.smoke) lines.push(`Targets (${TARGETS_SETTING}):`, '', ...targets(steps).map((target) => `- ${target}`), '');
  return lines.join('\n');
}
