import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Transact } from '../db/group-commit.ts';
import type { Db } from '../db/types.ts';
import { AppError } from '../errors.ts';
import { isoAfterSeconds } from '../clock.ts';
import { fingerprintOf, IDEMPOTENCY_KEY_HEADER, principalOf, readIdempotencyKey } from './request.ts';
import * as keys from './repository.ts';
import type { KeyClaim } from './repository.ts';
import type { Seal } from './seal.ts';

const REUSED_KEY = 'This Idempotency-Key was sent with another request: use a new key for a new request.';
const LOST_ANSWER = 'The request with this Idempotency-Key was carried out, but its answer was lost: read the resource to see the result, and use a new key for a new request.';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, whose response it stores; null without one, or when it replayed. */
    idempotencyClaim: KeyClaim | null;
  }
  interface FastifyContextConfig {
    /** The route writes: an Idempotency-Key makes a retry answer as the first attempt did (src/idempotency/). */
    idempotent?: boolean;
  }
}

/** How long a key and its response are kept. */
export const KEY_KEPT_SECONDS = 86_400;
/**
 * An attempt that has not answered after this long died with its process: a
 * retry may take its key over. Longer than any attempt can run, so that a
 * slow one is never overtaken while it still works: the server cuts off a
 * connection silent for 120 s, and a frozen PostgreSQL holds a write for
 * about 70 s (the statement's bound, then the rollback's).
 */
export const ABANDONED_AFTER_SECONDS = 150;
/** Pauses before the second and third try at storing an answer: a store busy for a moment should not cost the replay. */
const STORE_RETRY_PAUSES_MS = [50, 500];

/** The response headers a replay repeats; the request id is the replay's own. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'cache-control'] as const;
export const REPLAYED_MARK = 'idempotent-replayed';

export interface IdempotencyOptions {
  readonly db: Db;
  readonly transact: Transact;
  readonly seal: Seal;
}

type Claimed = { readonly kind: 'claimed'; readonly claim: KeyClaim } | { readonly kind: 'found'; readonly row: keys.KeyRow };

/*
 * The key for this attempt, or the row of another that holds it. One
 * transaction, one statement for a new key: an expired key is removed and
 * claimed afresh, an abandoned claim taken over, each conditionally, so
 * that racing attempts agree on one holder.
 */
async function claimKey(options: IdempotencyOptions, principal: string, key: string, fingerprint: string): Promise<Claimed> {
  const now = Date.now();
  const claim: KeyClaim = { principal, key, fingerprint, claimedAt: new Date(now).toISOString(), expiresAt: isoAfterSeconds(KEY_KEPT_SECONDS, now) };
  return options.transact(async (tx) => {
    if (await keys.insertClaim(tx, claim)) return { kind: 'claimed', claim };
    let row = await keys.findKey(tx, principal, key);
    if (row && row.expires_at <= claim.claimedAt) {
      await keys.deleteExpiredKey(tx, principal, key, claim.claimedAt);
      if (await keys.insertClaim(tx, claim)) return { kind: 'claimed', claim };
      row = await keys.findKey(tx, principal, key);
    }
    if (!row) throw new AppError('conflict', 'A request with this Idempotency-Key has just failed; retry.');
    const abandoned = row.fingerprint === fingerprint && isAbandoned(row, now) && row.committed_at === null;
    if (abandoned && (await keys.takeOverClaim(tx, row, claim.claimedAt))) {
      return { kind: 'claimed', claim: { ...claim, expiresAt: row.expires_at } };
    }
    return { kind: 'found', row };
  });
}

/** No answer long after its attempt began: that attempt died with its process. */
const isAbandoned = (row: keys.KeyRow, now: number) =>
  row.response_status === null && Date.parse(row.claimed_at) <= now - ABANDONED_AFTER_SECONDS * 1000;

function replay(options: IdempotencyOptions, reply: FastifyReply, row: keys.KeyRow) {
  // An erasure took the answer away with what the write made (keys.eraseKeptAnswers).
  if (row.response_body === null) throw new AppError('gone', '410 Gone: what this request wrote has been erased.');
  const headers = JSON.parse(row.response_headers ?? '{}') as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.header(REPLAYED_MARK, 'true');
  const body = options.seal.open(row.response_body ?? '');
  // An answer without a body (a 303) is replayed without one, and so without a Content-Type.
  return reply.code(row.response_status as number).send(body.length === 0 ? undefined : body);
}

/** Stripe's rule: what the endpoint answered is kept, errors included, but not a 5xx or a 429, which a retry may get past. */
const isKept = (status: number) => status < 500 && status !== 429;

function readPayload(payload: unknown): Buffer | undefined {
  if (payload === null || payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload);
  if (Buffer.isBuffer(payload)) return payload;
  return undefined;
}

function headersOf(reply: FastifyReply): string {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) kept[name] = String(value);
  }
  return JSON.stringify(kept);
}

/*
 * Stores the answer (or releases the key), trying again after a pause when
 * the store refuses: a key left unanswered would let a retry run the write
 * again once the claim counts as abandoned.
 */
async function settleClaim(request: FastifyRequest, settle: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await settle();
      return;
    } catch (error) {
      const pause = STORE_RETRY_PAUSES_MS[attempt];
      if (pause === undefined) {
        // The answer still goes out; a retry takes the claim over once it counts as abandoned.
        request.log.error({ err: error }, 'the Idempotency-Key response could not be stored');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * The Idempotency-Key of the routes that declare `idempotent`: the first
 * attempt's answer is stored and replayed to the retries that send the
 * same key and request; another request under the key is 422, a retry
 * while the first still runs 409. Without the header nothing changes.
 */
export function installIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  if (!app.hasRequestDecorator('idempotencyClaim')) app.decorateRequest('idempotencyClaim', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.routeOptions.config.idempotent) return;
    // Node joins a repeated header into one value ("a, b"), which is then read as one key.
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    const key = readIdempotencyKey(typeof header === 'string' ? header : undefined);
    if (key === undefined) return;
    const fingerprint = fingerprintOf(request.method, request.url.split('?')[0] as string, request.body);
    const claimed = await claimKey(options, principalOf(request.caller), key, fingerprint);
    if (claimed.kind === 'claimed') {
      request.idempotencyClaim = claimed.claim;
      return;
    }
    const { row } = claimed;
    if (row.fingerprint !== fingerprint) {
      // A 422 names what failed (the contract's §6): here the header, as a field of its own.
      throw new AppError('idempotency_key_reused', REUSED_KEY, { idempotency_key: [REUSED_KEY] });
    }
    if (row.response_status === null && isAbandoned(row, Date.now())) {
      // Its write committed, then its process died before the answer was stored: never run it again.
      throw new AppError('conflict', LOST_ANSWER);
    }
    if (row.response_status === null) {
      reply.header('retry-after', '1');
      throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry after the Retry-After seconds.');
    }
    return replay(options, reply, row);
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotencyClaim;
    if (claim === null) return payload;
    request.idempotencyClaim = null;
    const body = readPayload(payload);
    const settle = body === undefined || !isKept(reply.statusCode)
      ? () => options.transact((tx) => keys.releaseClaim(tx, claim))
      : () => {
        const response = { status: reply.statusCode, headers: headersOf(reply), body: options.seal.seal(body) };
        return options.transact((tx) => keys.storeResponse(tx, claim, response));
      };
    await settleClaim(request, settle);
    return payload;
  });
}
