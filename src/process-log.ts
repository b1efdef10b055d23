import pino, { type Logger } from 'pino';

/*
 * The log for the moments no Fastify app (and so no app logger) exists: a
 * cluster primary's whole life, and a process waiting for its database
 * before it builds the app. pino, as Fastify's own, so the lines read alike.
 */

export type Log = Logger;

/** A log at LOG_LEVEL whose every line carries `bound` (a primary's `role`, say). */
export function processLog(logLevel: string, bound: Record<string, unknown> = {}): Log {
  return pino({ level: logLevel }).child(bound);
}
