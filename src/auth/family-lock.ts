import { createHash } from 'node:crypto';
import type { StoreDialect } from '../db/dialects/index.ts';
import type { Tx } from '../db/types.ts';

/*
 * The token-family lock. A refresh adds tokens to a family and a late
 * reuse revokes the family; each must see the other's work whole. Without a
 * lock, a PostgreSQL statement revoking a family does not see the tokens a
 * refresh commits while it runs, and those would escape the revocation. So
 * both run in a transaction that first takes the family's lock.
 */
export type LockTokenFamily = (tx: Tx, family: string) => Promise<void>;

/* Locks share one key space per database; ours sit under a class id of their own ("tokf"). */
const TOKEN_FAMILY_LOCKS = 0x746f6b66;

export function tokenFamilyLockFor(dialect: StoreDialect): LockTokenFamily {
  return (tx, family) => dialect.lockUntilEnd(tx, TOKEN_FAMILY_LOCKS, familyKey(family));
}

/** 32 bits of the family's digest: two families sharing a key only wait for each other. */
function familyKey(family: string): number {
  return createHash('sha256').update(family).digest().readInt32BE(0);
}
