/** True when a write broke a unique constraint, on either store. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/*
 * Connection failures and server shutdowns (PostgreSQL classes 08 and 57P), the server's
 * own timeouts (57014 statement_timeout, 25P03 idle in transaction), and a SQLite file
 * another process kept locked past the lock wait.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '57P05',
  '57014', '25P03',
  'SQLITE_BUSY', 'SQLITE_LOCKED',
]);

/* pg's and pg-pool's own messages: a lost connection, and the client-side bounds (src/db/dialects/postgres-timeouts.ts). */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout|timeout exceeded when trying to connect|^timeout expired$/i;

/** True when the store could not be reached or is not accepting work: the request may succeed later. */
export function isStoreUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}
