import { hostname } from 'node:os';

/*
 * Log lines for the moments no Fastify app (and so no pino logger) exists:
 * a cluster primary's whole life, and a process waiting for its database
 * before it builds the app. JSON lines in pino's shape, so they read like
 * the app's own.
 */

export type Level = 'fatal' | 'error' | 'warn' | 'info';
export type Log = (level: Level, message: string, fields?: Record<string, unknown>) => void;

const LEVEL_NUMBERS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** A log at LOG_LEVEL whose every line carries `bound` (a primary's `role`, say). */
export function processLog(logLevel: string, bound: Record<string, unknown> = {}): Log {
  const threshold = LEVEL_NUMBERS[logLevel] ?? Number.POSITIVE_INFINITY;
  return (level, message, fields = {}) => {
    const number = LEVEL_NUMBERS[level] as number;
    if (number < threshold) return;
    const line = { level: number, time: Date.now(), pid: process.pid, hostname: hostname(), ...bound, ...fields, msg: message };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
}
