import type { Executor, Tx } from '../db/types.ts';
import { markKeyCommitted } from '../idempotency/repository.ts';
import type { AuditEntry } from './trail.ts';

/** Entries of one transaction in one statement: a batch of writes (src/db/group-commit.ts) costs one insert, not one each. */
export async function insertAuditEntries(db: Executor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        at: entry.at,
        source: entry.source,
        api_client_id: entry.apiClientId,
        user_id: entry.userId,
        organisation_id: entry.organisationId,
        action: entry.action,
        target_type: entry.target.type,
        target_id: entry.target.id,
        request_id: entry.requestId,
      })),
    )
    .execute();
  // In the same transaction: a write whose Idempotency-Key is marked committed never runs again.
  for (const entry of entries) if (entry.heldKey) await markKeyCommitted(db, entry.heldKey, entry.at, entry.target);
}

export interface AuditQuery {
  readonly organisationId?: number;
  /** ISO time: entries at or after it. */
  readonly since?: string;
  readonly limit: number;
}

/** The newest `limit` entries matching, oldest first, as a log reads. */
export async function listAuditEntries(db: Executor, query: AuditQuery) {
  let select = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.organisationId !== undefined) select = select.where('organisation_id', '=', query.organisationId);
  if (query.since !== undefined) select = select.where('at', '>=', query.since);
  return (await select.execute()).reverse();
}

/** An operator's purge of these jobs, one entry each, read from their rows before they go: one statement per batch. */
export async function insertPurgeEntries(tx: Tx, jobIds: readonly number[], at: string): Promise<void> {
  if (jobIds.length === 0) return;
  await tx
    .insertInto('audit_log')
    .columns(['at', 'source', 'organisation_id', 'action', 'target_type', 'target_id'])
    .expression(
      tx
        .selectFrom('jobs')
        .select((eb) => [
          eb.val(at).as('at'),
          eb.val('operator').as('source'),
          'organisation_id',
          eb.val('job.purge').as('action'),
          eb.val('job').as('target_type'),
          'id',
        ])
        .where('id', 'in', jobIds)
        .orderBy('id'),
    )
    .execute();
}
