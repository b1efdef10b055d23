import { percentile } from '../http/load.ts';
import type { Offered, Outcome } from './open-loop.ts';
import { KINDS, type Kind } from './requests.ts';

/* One rate's outcomes as figures: throughput, latency overall and per kind, what failed. */

/** A step passes with p99 at most this (password grants aside: `api`) and nothing failed or refused. */
export const PASSING_P99_MS = 100;

export interface Latencies {
  readonly answered: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface StepSummary {
  readonly rate: number;
  readonly offered: number;
  /** 2xx answers per second, from the first request due to the last answer. */
  readonly achieved: number;
  /** Over every answer, whatever its status. */
  readonly overall: Latencies;
  /**
   * Over every answer but the password grants': one grant is a scrypt of
   * 32 MiB, about 100 ms of a core by design, so their share of the mix
   * would set the p99 by itself. Their latency is in `byKind`.
   */
  readonly api: Latencies;
  readonly byKind: Readonly<Record<Kind, Latencies>>;
  /** Not sent, timed out, connection errors and statuses other than 2xx and 503. */
  readonly errors: number;
  /** Failures by kind of request and fate or status: `search timeout`, `create 422` … */
  readonly failures: Readonly<Record<string, number>>;
  /** 503 answers: the server shedding load. */
  readonly refused: number;
  readonly refusedWithoutRetryAfter: number;
  readonly peakRssBytes: number;
  /** The 99th percentile of how late the client sent requests, ms: above a few ms the client, not only the server, fell behind. */
  readonly sendLagP99Ms: number;
}

function latencies(outcomes: readonly Outcome[]): Latencies {
  const times = outcomes.map((outcome) => outcome.latencyMs).filter((ms) => !Number.isNaN(ms)).sort((a, b) => a - b);
  return { answered: times.length, p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99) };
}

const isFailure = (outcome: Outcome) => typeof outcome.fate !== 'number' || (outcome.fate !== 503 && (outcome.fate < 200 || outcome.fate > 299));

export function summarise(rate: number, offered: Offered, peakRssBytes: number): StepSummary {
  const { outcomes } = offered;
  const failures: Record<string, number> = {};
  for (const outcome of outcomes.filter(isFailure)) {
    const key = `${outcome.kind} ${outcome.fate}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const refused = outcomes.filter((outcome) => outcome.fate === 503);
  const succeeded = outcomes.filter((outcome) => typeof outcome.fate === 'number' && outcome.fate >= 200 && outcome.fate <= 299).length;
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, latencies(outcomes.filter((outcome) => outcome.kind === kind))])) as Record<Kind, Latencies>;
  return {
    rate,
    offered: outcomes.length,
    achieved: succeeded / offered.elapsedSeconds,
    overall: latencies(outcomes),
    api: latencies(outcomes.filter((outcome) => outcome.kind !== 'token')),
    byKind,
    errors: Object.values(failures).reduce((sum, count) => sum + count, 0),
    failures,
    refused: refused.length,
    refusedWithoutRetryAfter: refused.filter((outcome) => !outcome.retryAfter).length,
    peakRssBytes,
    sendLagP99Ms: percentile([...offered.sendLagsMs].sort((a, b) => a - b), 0.99),
  };
}

export const passes = (step: StepSummary) => step.errors === 0 && step.refused === 0 && step.api.p99 <= PASSING_P99_MS;

/** The highest rate offered that passed, or null. */
export function capacity(steps: readonly StepSummary[]): number | null {
  const passed = steps.filter(passes).map((step) => step.rate);
  return passed.length > 0 ? Math.max(...passed) : null;
}
