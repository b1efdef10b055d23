import type pg from 'pg';

/*
 * PostgreSQL parses and plans an unnamed statement each time it runs: the
 * read by id (a dozen scalar subqueries) spent 0.2 ms planning for 0.1 ms
 * executing, and a round trip of it took 1.3 ms unnamed, 0.7–0.9 named.
 * A named statement is parsed once per connection. The first
 * NAMED_STATEMENTS distinct texts get a name, the rest run unnamed, so that
 * no connection holds an unbounded number (search builds SQL whose text
 * varies with its filters). Only statements with parameters are named: they
 * already go by the extended protocol, where a text without parameters (a
 * migration's several statements) would go by the simple one. Keyword
 * matches are never named: after five runs PostgreSQL may keep one generic
 * plan for a named statement, and no one plan suits both a word every tenth
 * job has and one of a dozen jobs (keyword search p95 went from 33 to 70 ms,
 * radius searches from 32 to 102 ms, with them named).
 */
const NAMED_STATEMENTS = 200;

/** A statement whose best plan depends on its words (src/search/engines/postgres-tsvector.ts). */
const MATCHES_WORDS = /to_tsquery\(/;

type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

export function nameStatementsOf(pool: pg.Pool, limit = NAMED_STATEMENTS): void {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    const known = names.get(text);
    if (known !== undefined || names.size >= limit || MATCHES_WORDS.test(text)) return known;
    const name = `jobspace_${names.size + 1}`;
    names.set(text, name);
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // Kysely's driver calls query(text, values) and awaits it; any other call goes through unchanged.
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0 ? nameOf(text) : undefined;
      return name === undefined ? query(...args) : (query({ name, text, values }) as ReturnType<Query>);
    }) as typeof client.query;
  });
}
