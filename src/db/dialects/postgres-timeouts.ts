import type pg from 'pg';

/*
 * How long a PostgreSQL that stops answering may hold a request. A server
 * that is down refuses the connection at once; a frozen one (a stalled host,
 * a full disk, a network that drops packets) keeps the TCP connection open
 * and answers nothing, so without these a request waited as long as it did.
 */
export interface PostgresTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. */
  readonly connectMs: number;
  /** One statement, enforced by the server (statement_timeout); 0: none. */
  readonly statementMs: number;
}

/** pg.Pool's settings for these bounds. */
export function poolTimeouts(timeouts: PostgresTimeouts | undefined): Pick<pg.PoolConfig, 'connectionTimeoutMillis' | 'query_timeout'> & { serverOptions: string[] } {
  if (timeouts === undefined) return { connectionTimeoutMillis: 0, serverOptions: [] };
  const { connectMs, statementMs } = timeouts;
  if (statementMs === 0) return { connectionTimeoutMillis: connectMs, serverOptions: [] };
  return {
    // pg-pool applies it both to a new connection and to waiting for an idle one.
    connectionTimeoutMillis: connectMs,
    // The server cancels a long statement itself and the connection stays usable; the client's own bound,
    // later by the time a connection may take, fires only when the server did not answer at all.
    query_timeout: statementMs + connectMs,
    // A transaction left open (its request stalled between statements) would hold its locks and snapshot.
    serverOptions: [`-c statement_timeout=${statementMs}`, `-c idle_in_transaction_session_timeout=${statementMs}`],
  };
}

/*
 * pg's client-side query timeout rejects the query but leaves it in flight on
 * its connection, which Kysely then releases to the pool as usable: every
 * later query on it would queue behind the one that never ends. A client
 * whose query timed out is released with an error instead, which makes the
 * pool close its socket and open a fresh one when next needed.
 */
const TIMED_OUT_CONNECTION = 'Query read timeout earlier on this connection';

export function discardTimedOutClients(pool: pg.Pool): void {
  const timedOut = new WeakSet<pg.ClientBase>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      // Kysely's rollback after the timeout would queue behind the query still in flight and wait out a
      // second query timeout: on a frozen server a write took twice the bound to answer.
      if (timedOut.has(client)) return Promise.reject(new Error(TIMED_OUT_CONNECTION));
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isQueryReadTimeout(error)) timedOut.add(client);
        });
      }
      return result;
    }) as typeof client.query;
  });
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  // Kysely calls connect() and awaits it; pool.query's own connect(callback) goes through unchanged.
  pool.connect = ((...args: unknown[]) => {
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      const release = client.release;
      // Kysely releases with `false`: no error of its own to give.
      client.release = (error?: Error | boolean) => release(error || (timedOut.has(client) ? new Error(TIMED_OUT_CONNECTION) : undefined));
      return client;
    });
  }) as typeof pool.connect;
}

function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}
