import { sql, type Selectable } from 'kysely';
import type { Db, DeliveriesTable } from '../types.ts';

/*
 * How a worker claims due deliveries, per store: every worker and machine
 * sends, and none takes a delivery another holds. A claim is a lease
 * (`claimed_until`): a worker that dies with it lets the delivery go due
 * again once the lease ends.
 */

export type ClaimedDelivery = Selectable<DeliveriesTable>;
export type ClaimDue = (db: Db, now: string, leaseUntil: string, limit: number) => Promise<ClaimedDelivery[]>;

const due = (now: string) => sql`status = 'pending' and next_attempt_at <= ${now} and (claimed_until is null or claimed_until < ${now})`;

/* SQLite serialises writers, so one UPDATE choosing its rows by a sub-select is atomic. */
export const claimDueOnSqlite: ClaimDue = async (db, now, leaseUntil, limit) => {
  const result = await sql<ClaimedDelivery>`update deliveries set claimed_until = ${leaseUntil}
    where id in (select id from deliveries where ${due(now)} order by next_attempt_at, id limit ${limit})
    returning *`.execute(db);
  return result.rows;
};

/* PostgreSQL runs claims side by side: each locks the rows it picks and passes over those another holds. */
export const claimDueOnPostgres: ClaimDue = (db, now, leaseUntil, limit) =>
  db.transaction().execute(async (tx) => {
    const picked = await sql<{ id: number }>`select id from deliveries where ${due(now)}
      order by next_attempt_at, id limit ${limit} for update skip locked`.execute(tx);
    if (picked.rows.length === 0) return [];
    return tx
      .updateTable('deliveries')
      .set({ claimed_until: leaseUntil })
      .where('id', 'in', picked.rows.map((row) => row.id))
      .returningAll()
      .execute();
  });
