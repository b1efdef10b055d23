import type { Caller } from './caller.ts';
import { CacheLookups } from '../metrics/cache-lookups.ts';

/*
 * Callers resolved from bearer tokens, by token hash, so that a request with
 * a known token reads one row (the store's auth generation) instead of its
 * token, organisations and sites.
 *
 * Revocation is honoured across processes by the store itself: every change
 * that could alter or end a caller (a token family or client revoked, a
 * membership or a client's sites changed, a row deleted) raises the
 * generation, by triggers, in the transaction of the change (migration 0003).
 * Triggers rather than calls in our services, so that no writer can forget:
 * not a future command, not an operator's SQL. An entry serves only a
 * request that reads the same generation as was read before the entry was
 * resolved, so any change committed before that read, by any process, is
 * seen. Entries also end with their token, and after a minute at most; an
 * unknown token is never remembered.
 */

const MAX_ENTRIES = 10_000;
const TTL_MS = 60_000;

export interface Entry {
  readonly caller: Caller;
  readonly generation: number;
  /** Epoch milliseconds: the token's expiry or the TTL, whichever comes first. */
  readonly until: number;
}

export class CallerCache {
  private readonly entries = new Map<string, Entry>();
  /** One outcome per authentication: a recall that misses goes on to `find`, which counts it. */
  readonly lookups = new CacheLookups();

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly ttlMs = TTL_MS,
  ) {}

  /** The caller resolved for this token at this generation, while neither it nor its token has expired. */
  find(tokenHash: string, generation: number, now = Date.now()): Caller | undefined {
    const entry = this.entries.get(tokenHash);
    if (entry && entry.generation === generation && now < entry.until) return this.lookups.record(entry.caller);
    this.lookups.record(undefined);
    if (entry) this.entries.delete(tokenHash);
    return undefined;
  }

  /**
   * The caller remembered for this token and the generation it was resolved
   * at, while neither it nor its token has expired: for a request whose own
   * statement will read the generation (src/auth/guard.ts, readAsCaller).
   */
  recall(tokenHash: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now < entry.until) return this.lookups.record(entry);
    this.entries.delete(tokenHash);
    return undefined;
  }

  /** `generation` must have been read before the caller was, so that no change falls between the two. */
  remember(tokenHash: string, caller: Caller, generation: number, tokenExpiresAt: number, now = Date.now()): void {
    this.entries.delete(tokenHash);
    // A Map keeps insertion order: its first key is the oldest entry.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(tokenHash, { caller: frozen(caller), generation, until: Math.min(tokenExpiresAt, now + this.ttlMs) });
  }
}

/* One caller object serves every request of its token, so none may change it. */
function frozen(caller: Caller): Caller {
  Object.freeze(caller.siteIds);
  if (caller.kind === 'vendor') {
    for (const organisation of caller.organisations) Object.freeze(organisation);
    Object.freeze(caller.organisations);
  }
  return Object.freeze(caller);
}
