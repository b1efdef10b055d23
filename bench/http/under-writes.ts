import { Agent } from 'node:http';
import { type Outcome, sendOne } from '../mixed/open-loop.ts';
import { type Kind, type Mix, requestStream } from '../mixed/requests.ts';
import { percentile, type LoadSettings, type Measurement } from './load.ts';
import { sampleRss } from './rss.ts';
import type { ScenarioContext } from './scenarios.ts';

/*
 * Lists while vendors write: page 1 and filtered first pages, with creates
 * and partial updates among them, over the same connections as autocannon
 * would use (each sends its next request once the last is answered).
 * autocannon times every request alike, so this small client drives it: the
 * row's requests/s counts every request, its latency the lists' only, since
 * the question is what writes alongside do to a list.
 */

const MIX: Mix = { read: 0, list: 80, search: 0, suggest: 0, create: 10, update: 10, token: 0 };
const MEASURED: Kind = 'list';
const TIMEOUT_MS = 10_000;

function isSuccess(outcome: Outcome): boolean {
  return typeof outcome.fate === 'number' && outcome.fate >= 200 && outcome.fate <= 299;
}

export async function driveListsUnderWrites(port: number, context: ScenarioContext, settings: LoadSettings, serverPids: () => readonly number[]): Promise<Measurement> {
  const next = requestStream(context, MIX, { deepPages: false });
  const agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
  const memory = sampleRss(serverPids);
  const outcomes: Outcome[] = [];
  const startedAt = performance.now();
  const endAt = startedAt + settings.seconds * 1000;
  let peakRssBytes = 0;
  try {
    const connection = async () => {
      while (performance.now() < endAt) outcomes.push(await sendOne(agent, port, TIMEOUT_MS, next(), performance.now()));
    };
    await Promise.all(Array.from({ length: settings.connections }, connection));
  } finally {
    peakRssBytes = memory.stop();
    agent.destroy();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const lists = outcomes.filter((outcome) => outcome.kind === MEASURED && !Number.isNaN(outcome.latencyMs)).map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const { fate } of outcomes) if (typeof fate === 'number') statusCodes[fate] = (statusCodes[fate] ?? 0) + 1;
  const answered = outcomes.filter((outcome) => typeof outcome.fate === 'number');
  return {
    requestsPerSecond: answered.length / seconds,
    sent: outcomes.length,
    responses: answered.length,
    seconds,
    latency: { p50: percentile(lists, 0.5), p95: percentile(lists, 0.95), p99: percentile(lists, 0.99) },
    errors: outcomes.length - answered.length,
    timeouts: outcomes.filter((outcome) => outcome.fate === 'timeout').length,
    non2xx: answered.filter((outcome) => !isSuccess(outcome)).length,
    statusCodes,
    peakRssBytes,
  };
}
