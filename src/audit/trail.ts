import type { FastifyRequest } from 'fastify';
import { nowIso } from '../clock.ts';

/*
 * What the audit trail records of a write: who (client, user), for which
 * organisation, what (action, target), and from which request or operator
 * command. Written in the write's own transaction, so that a write rolled
 * back leaves no entry and a committed one always has one.
 */

export type AuditAction =
  | 'job.create'
  | 'job.update'
  | 'job.delete'
  | 'job.purge'
  | 'application.submit'
  | 'application.update'
  | 'application.erase'
  | 'webhook.create'
  | 'webhook.update'
  | 'webhook.delete'
  | 'token.revoke'
  | 'client.create'
  | 'client.revoke'
  | 'client.rotate_secret'
  | 'site.create'
  | 'organisation.create'
  | 'organisation.credits'
  | 'user.create'
  | 'user.add_organisation'
  | 'user.remove_organisation';

export type AuditTargetType = 'job' | 'application' | 'webhook' | 'access_token' | 'refresh_token' | 'client' | 'site' | 'organisation' | 'user';

export interface AuditEntry {
  readonly at: string;
  readonly source: 'api' | 'operator';
  readonly apiClientId: number | null;
  readonly userId: number | null;
  readonly organisationId: number | null;
  readonly action: AuditAction;
  readonly target: { readonly type: AuditTargetType; readonly id: number };
  readonly requestId: string | null;
  /** The Idempotency-Key the request holds: marked committed with the entry, in the write's transaction. */
  readonly heldKey?: HeldKey | null;
}

/** An Idempotency-Key claimed by a request (src/idempotency/): whose, which, and since when it is held. */
export interface HeldKey {
  readonly principal: string;
  readonly key: string;
  readonly claimedAt: string;
}

/** Who a request acts as, for its audit entries: its caller, its request id, and the Idempotency-Key it holds. */
export interface Actor {
  readonly apiClientId: number;
  readonly userId: number | null;
  readonly requestId: string;
  readonly heldKey?: HeldKey | null;
}

export function actorOf(request: FastifyRequest): Actor {
  const { caller } = request;
  return {
    apiClientId: caller.apiClientId,
    userId: caller.kind === 'vendor' ? caller.userId : null,
    requestId: request.id,
    heldKey: request.idempotencyClaim,
  };
}

/** A request's write. */
export function requestEntry(
  actor: Actor,
  organisationId: number | null,
  action: AuditAction,
  target: AuditEntry['target'],
): AuditEntry {
  return { at: nowIso(), source: 'api', ...actor, organisationId, action, target };
}

/** An operator command's write: no client, user or request behind it. */
export function commandEntry(organisationId: number | null, action: AuditAction, target: AuditEntry['target']): AuditEntry {
  return { at: nowIso(), source: 'operator', apiClientId: null, userId: null, requestId: null, organisationId, action, target };
}
