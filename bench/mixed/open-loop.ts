import { Agent, request } from 'node:http';
import type { Kind, MixedRequest } from './requests.ts';

/*
 * Offers requests at a fixed rate whether or not earlier ones were answered
 * (an open loop), as visitors arrive whatever the server is doing: a server
 * slower than the rate shows it as growing latency, not as a slower client.
 * Latency runs from the moment a request was due, not from when it was
 * written, so time spent waiting for a free connection counts. At most
 * `maxInFlight` requests are outstanding; one due while that many are is not
 * sent and counts as an error, as is one unanswered after `timeoutMs`.
 */

export interface OfferSettings {
  readonly port: number;
  /** Requests per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
}

/** What became of one request: its status, or why it has none. */
export type Fate = number | 'not sent' | 'timeout' | 'connection error';

export interface Outcome {
  readonly kind: Kind;
  readonly fate: Fate;
  /** From when it was due to its last byte; NaN without an answer. */
  readonly latencyMs: number;
  /** The Retry-After of a 503. */
  readonly retryAfter?: string;
}

export interface Offered {
  readonly outcomes: readonly Outcome[];
  /** How late the client sent each request it sent, in ms: the client's own lag, when the machine is too busy to keep the schedule. */
  readonly sendLagsMs: readonly number[];
  /** The schedule's length, or longer when answers came after it: from the first request due to the last answer. */
  readonly elapsedSeconds: number;
}

/** Sends one request on `agent`; its latency runs from `dueAt` (performance.now()). */
export function sendOne(agent: Agent, port: number, timeoutMs: number, next: MixedRequest, dueAt: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const { kind } = next;
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const outgoing = request({ host: '127.0.0.1', port, method: next.method, path: next.path, headers: next.headers, agent }, (incoming) => {
      incoming.resume();
      incoming.on('end', () => {
        const retryAfter = incoming.headers['retry-after'];
        settle({ kind, fate: incoming.statusCode ?? 0, latencyMs: performance.now() - dueAt, ...(retryAfter ? { retryAfter } : {}) });
      });
      incoming.on('error', () => settle({ kind, fate: 'connection error', latencyMs: Number.NaN }));
    });
    outgoing.setTimeout(timeoutMs, () => {
      settle({ kind, fate: 'timeout', latencyMs: Number.NaN });
      outgoing.destroy();
    });
    outgoing.on('error', () => settle({ kind, fate: 'connection error', latencyMs: Number.NaN }));
    outgoing.end(next.body);
  });
}

export async function offer(settings: OfferSettings, next: () => MixedRequest): Promise<Offered> {
  const agent = new Agent({ keepAlive: true, maxSockets: settings.maxInFlight });
  const total = Math.max(1, Math.round(settings.rate * settings.seconds));
  const intervalMs = 1000 / settings.rate;
  const outcomes: Outcome[] = [];
  const sendLagsMs: number[] = [];
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();
  let sent = 0;
  try {
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        // Every request whose time has come, even if the timer fired late.
        while (sent < total && startedAt + sent * intervalMs <= now) {
          const dueAt = startedAt + sent * intervalMs;
          const request = next();
          sent += 1;
          if (pending.size >= settings.maxInFlight) {
            outcomes.push({ kind: request.kind, fate: 'not sent', latencyMs: Number.NaN });
            continue;
          }
          sendLagsMs.push(now - dueAt);
          const answered = sendOne(agent, settings.port, settings.timeoutMs, request, dueAt).then((outcome) => {
            outcomes.push(outcome);
            pending.delete(answered);
          });
          pending.add(answered);
        }
        if (sent >= total) done();
        else setTimeout(tick, Math.max(0, startedAt + sent * intervalMs - performance.now()));
      };
      tick();
    });
    await Promise.all(pending);
    return { outcomes, sendLagsMs, elapsedSeconds: Math.max(total / settings.rate, (performance.now() - startedAt) / 1000) };
  } finally {
    agent.destroy();
  }
}
