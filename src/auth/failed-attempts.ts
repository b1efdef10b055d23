/*
 * Failed authentications, counted per client address and per username, so
 * that guessing tokens, client secrets or passwords is answered 429 past a
 * limit. A key's window opens at its first failure and lasts a fixed time.
 * Past the limit the key is refused, correct credentials included, until
 * its window ends: otherwise the limit would not stop a guesser who
 * eventually guesses right. Successes neither count nor reset the count, so
 * that a vendor's valid token cannot wipe out the guesses made from its
 * address.
 *
 * Counted in this process's memory: each worker counts alone. Memory is
 * bounded: at most `maxKeys` keys per count, the oldest forgotten first.
 */

import type { FastifyReply } from 'fastify';
import { canonicalUsername } from '../tenancy/username.ts';

export interface FailureLimit {
  /** Failures a key may make in one window; 0 turns counting off. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface FailureLimits {
  readonly perAddress: FailureLimit;
  /** For password grants and R2's Basic alternative, whose passwords could be guessed from many addresses. */
  readonly perUsername: FailureLimit;
}

/** Who failed: the client's address, and the username whose password was checked, if one was. */
export interface Attempt {
  readonly address: string;
  readonly username?: string | undefined;
}

const MAX_KEYS = 10_000;

interface Window {
  /** Epoch milliseconds. */
  readonly endsAt: number;
  failures: number;
}

/** Failures per key in fixed windows, the oldest windows forgotten first past `maxKeys`. */
export class FailureCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly rule: FailureLimit,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  /** Seconds until `key` may try again; 0 while it is under its limit. */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const window = this.openWindow(key, now);
    if (!window || window.failures < this.rule.limit) return 0;
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  record(key: string, now = Date.now()): void {
    if (this.rule.limit === 0) return;
    this.forgetEnded(now);
    const window = this.openWindow(key, now);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(key, { endsAt: now + this.rule.windowSeconds * 1000, failures: 1 });
  }

  private openWindow(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && now >= window.endsAt) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /* Every window lasts as long and a Map keeps insertion order, so the ended ones are at its front. */
  private forgetEnded(now: number): void {
    for (const [key, window] of this.windows) {
      if (now < window.endsAt) return;
      this.windows.delete(key);
    }
  }
}

/** The counts the token endpoint and the API guard share: an address's failures on either add up. */
export class FailedAttempts {
  private readonly byAddress: FailureCounter;
  private readonly byUsername: FailureCounter;

  constructor(limits: FailureLimits, maxKeys = MAX_KEYS) {
    this.byAddress = new FailureCounter(limits.perAddress, maxKeys);
    this.byUsername = new FailureCounter(limits.perUsername, maxKeys);
  }

  /** Seconds until this attempt may be made; 0 while neither its address nor its username is over its limit. */
  retryAfterSeconds(attempt: Attempt, now = Date.now()): number {
    const byAddress = this.byAddress.retryAfterSeconds(attempt.address, now);
    const byUsername = attempt.username === undefined ? 0 : this.byUsername.retryAfterSeconds(canonicalUsername(attempt.username), now);
    return Math.max(byAddress, byUsername);
  }

  record(attempt: Attempt, now = Date.now()): void {
    this.byAddress.record(attempt.address, now);
    // Counted as users are looked up: guesses at JO@acme.example count against jo@acme.example.
    if (attempt.username !== undefined) this.byUsername.record(canonicalUsername(attempt.username), now);
  }
}

/*
 * Called before any check, so that correct credentials too are refused
 * while over the limit: sets Retry-After and throws the route's own refusal.
 */
export function refuseOverLimit(failures: FailedAttempts, attempt: Attempt, reply: FastifyReply, refusal: () => Error): void {
  const seconds = failures.retryAfterSeconds(attempt);
  if (seconds === 0) return;
  reply.header('retry-after', String(seconds));
  throw refusal();
}
