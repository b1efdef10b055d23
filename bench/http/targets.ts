import type { CeilingRatio, Row } from './report.ts';
import { SCENARIO_LABELS } from './scenarios.ts';

/*
 * The goals set for the server, checked against a run's figures. They are
 * set for SQLite, 100,000 jobs, WORKERS=1 and 32 connections (memory for
 * 1,000,000 jobs); other runs show them for comparison only. A missed target
 * is a finding to report, never a failed run.
 */

const READ_CEILING_SHARE = 0.5;
const SEARCH_MIX_CEILING_SHARE = 0.1;
const SEARCH_MIX_P99_MS = 50;
const LIST_PAGE_1_P99_MS = 25;
const LIST_PAGE_200_P99_MS = 50;
const LIST_UNDER_WRITES_P99_MS = 25;
const CREATES_PER_SECOND = 1500;
const PEAK_RSS_MB = 300;

export const TARGETS_SETTING = 'set for SQLite, 100,000 jobs, WORKERS=1, 32 connections; memory for 1,000,000 jobs';

export function checkTargets(rows: readonly Row[], ceilingRatios: readonly CeilingRatio[]): string[] {
  const find = (label: string) => rows.find((row) => row.label === label)?.measurement;
  const share = (label: string) => ceilingRatios.find((ratio) => ratio.scenario === label)?.ratio;
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const results: string[] = [];
  const readShare = share(SCENARIO_LABELS.read);
  if (readShare !== undefined) {
    results.push(`read by id ≥ ${READ_CEILING_SHARE} of the ceiling: ${readShare.toFixed(2)}, ${verdict(readShare >= READ_CEILING_SHARE)}`);
  }
  const mixShare = share(SCENARIO_LABELS['search-mix']);
  const mix = find(SCENARIO_LABELS['search-mix']);
  if (mixShare !== undefined && mix) {
    const met = mixShare >= SEARCH_MIX_CEILING_SHARE && mix.latency.p99 <= SEARCH_MIX_P99_MS;
    results.push(`search mix ≥ ${SEARCH_MIX_CEILING_SHARE} of the same-bytes ceiling, p99 ≤ ${SEARCH_MIX_P99_MS} ms: ${mixShare.toFixed(3)}, p99 ${mix.latency.p99.toFixed(1)} ms, ${verdict(met)}`);
  }
  const listFirst = find(SCENARIO_LABELS['list-page-1']);
  if (listFirst) {
    results.push(`list page 1 p99 ≤ ${LIST_PAGE_1_P99_MS} ms: ${listFirst.latency.p99.toFixed(1)} ms, ${verdict(listFirst.latency.p99 <= LIST_PAGE_1_P99_MS)}`);
  }
  const listDeep = find(SCENARIO_LABELS['list-page-200']);
  if (listDeep) {
    results.push(`list page 200 p99 ≤ ${LIST_PAGE_200_P99_MS} ms: ${listDeep.latency.p99.toFixed(1)} ms, ${verdict(listDeep.latency.p99 <= LIST_PAGE_200_P99_MS)}`);
  }
  const underWrites = find(SCENARIO_LABELS['list-under-writes']);
  if (underWrites) {
    results.push(`list p99 ≤ ${LIST_UNDER_WRITES_P99_MS} ms with writes alongside: ${underWrites.latency.p99.toFixed(1)} ms, ${verdict(underWrites.latency.p99 <= LIST_UNDER_WRITES_P99_MS)}`);
  }
  const create = find(SCENARIO_LABELS.create);
  if (create) {
    results.push(`create ≥ ${CREATES_PER_SECOND.toLocaleString('en-GB')} jobs/s: ${Math.round(create.requestsPerSecond).toLocaleString('en-GB')}, ${verdict(create.requestsPerSecond >= CREATES_PER_SECOND)}`);
  }
  const serverRows = rows.filter((row) => !row.label.startsWith('ceiling'));
  if (serverRows.length > 0) {
    const peak = Math.max(...serverRows.map((row) => row.measurement.peakRssBytes)) / 2 ** 20;
    results.push(`peak RSS ≤ ${PEAK_RSS_MB} MB (set for 1,000,000 jobs): ${peak.toFixed(0)} MB, ${verdict(peak <= PEAK_RSS_MB)}`);
  }
  return results;
}
