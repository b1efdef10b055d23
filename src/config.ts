import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { IANAZone } from 'luxon';
import { isStoreUrl, sqliteFileOf } from './db/dialects/store-url.ts';
import type { FailureLimits } from './auth/failed-attempts.ts';
import { MIN_PASSWORD_LENGTH } from './auth/secrets.ts';
import { usernameProblem } from './tenancy/username.ts';

/** Everything the server reads from its environment, validated once at start. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** PostgreSQL connections per process. */
  readonly databasePoolSize: number;
  /** Seconds start-up keeps trying to reach PostgreSQL before giving up; 0 tries once. */
  readonly databaseStartTimeoutSeconds: number;
  /** How long a request may wait for the database before it is answered 503. */
  readonly databaseTimeouts: DatabaseTimeouts;
  /** Milliseconds an idle kept-alive connection stays open; longer than the load balancer's idle timeout. */
  readonly keepAliveTimeoutMs: number;
  /** Server processes sharing the port: 1 serves from this process, more fork a cluster. */
  readonly workers: number;
  readonly publicUrl: string;
  /** The folder job logos are stored in, absolute. */
  readonly mediaDir: string;
  readonly defaultTimezone: string;
  readonly production: boolean;
  /** Requests per minute per token (or per address without one); 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Token requests per minute per address, and password grants per minute per username; 0 turns both off. */
  readonly tokenRateLimitPerMinute: number;
  /** Where the rate limits count, shared by every process (redis:// or rediss://); null: each process counts alone. */
  readonly redisUrl: string | null;
  /** Put before every key this server writes in Redis. */
  readonly redisKeyPrefix: string;
  /** Origins whose browser scripts may call the API (CORS); empty: none, `*`: any. */
  readonly corsOrigins: readonly string[];
  /** Seconds a rotated refresh token still answers (a retry, a concurrent refresh) before a reuse revokes its family. */
  readonly refreshReuseSeconds: number;
  /** Failed authentications per client address and per username before 429 (src/auth/failed-attempts.ts). */
  readonly authFailures: FailureLimits;
  /** While on, every API request is 503: for upgrades and store copies. */
  readonly maintenance: boolean;
  readonly logLevel: string;
  readonly demo: DemoCredentials;
  /** Where e-mail goes out (nodemailer's smtp:// or smtps:// URL); null: the server sends none. */
  readonly smtpUrl: string | null;
  /** The From of the e-mail the server sends. */
  readonly mailFrom: string;
  /** Candidates' CVs and what is done with them (src/applications/). */
  readonly applications: ApplicationSettings;
  /** Webhook and delivery settings (src/deliveries/). */
  readonly deliveries: DeliveryConfig;
  /** When the server answers 503 rather than queue more work than it can serve (src/http/load-shedding.ts). */
  readonly loadShedding: LoadSheddingConfig;
  /** Where GET /metrics is served (src/metrics/); neither set: nowhere. */
  readonly metrics: MetricsConfig;
}

export interface MetricsConfig {
  /** METRICS_TOKEN: /metrics on the API's port answers a request bearing it; null: not served there. */
  readonly token: string | null;
  /** METRICS_PORT: a listener of its own serving /metrics without authentication; null: none. */
  readonly port: number | null;
  /** METRICS_HOST: the address that listener binds to; loopback unless the operator opens it. */
  readonly host: string;
}

export interface DatabaseTimeouts {
  /** PostgreSQL: opening a connection, or waiting for a free one in the pool. */
  readonly connectMs: number;
  /** PostgreSQL: one statement (the server cancels it; the client gives up a connect timeout later); 0: none. */
  readonly statementMs: number;
  /** SQLite: waiting for another process's write lock. */
  readonly lockWaitMs: number;
}

export interface LoadSheddingConfig {
  /** Mean event-loop delay, in ms over one sample, past which requests are refused; 0: not checked. */
  readonly maxEventLoopDelayMs: number;
  /** Share of one sample the event loop was busy (0 to 1) past which requests are refused; 0: not checked. */
  readonly maxEventLoopUtilisation: number;
  /** Milliseconds between measurements: how long one measurement decides. */
  readonly sampleMs: number;
}

export interface ApplicationSettings {
  /** The folder CVs are stored in, absolute; never the logos' folder. */
  readonly filesDir: string;
  /** Applications older than this many days are erased by the server's sweep. */
  readonly retentionDays: number;
  /** SIGNUP_WITHPOST sends the CV inline (base64) rather than as a link that expires. */
  readonly cvInline: boolean;
  /** The key CV links are signed with; null: one generated at first start and kept in the store. */
  readonly linkSecret: string | null;
}

export interface DeliveryConfig {
  /** WEBHOOK_SIGNING_KEY: the server key every signing key is derived from; null outside production when unset. */
  readonly signingKey: Buffer | null;
  /** Where the key is generated and kept when WEBHOOK_SIGNING_KEY is unset (outside production only). */
  readonly signingKeyFile: string;
  /** Targets on private, loopback and other internal addresses, and plain http, are allowed (tests, development). */
  readonly allowPrivateTargets: boolean;
  /** Milliseconds between the worker's rounds; 0: this process sends nothing. */
  readonly pollMs: number;
}

/** Demo tenant credentials; each is generated when left undefined. */
export interface DemoCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly username?: string;
  readonly password?: string;
}

/** A bad setting: start-up stops with one line naming the variable. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const port = readPort(env);
  const host = env.HOST || '0.0.0.0';
  const databaseUrl = readDatabaseUrl(env);
  return Object.freeze({
    port,
    host,
    databaseUrl,
    databasePoolSize: readWholeNumber(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseStartTimeoutSeconds: readWholeNumber(env, 'DATABASE_START_TIMEOUT_SECONDS', 60, 0, 3600),
    databaseTimeouts: Object.freeze({
      connectMs: readWholeNumber(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
      statementMs: readWholeNumber(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
      lockWaitMs: readWholeNumber(env, 'DATABASE_LOCK_TIMEOUT_MS', 5_000, 0, 600_000),
    }),
    keepAliveTimeoutMs: readWholeNumber(env, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 1_000, 3_600_000),
    workers: readWorkers(env, databaseUrl),
    publicUrl: readPublicUrl(env, port),
    smtpUrl: readSmtpUrl(env),
    mailFrom: readMailFrom(env, port),
    deliveries: readDeliveries(env, databaseUrl),
    loadShedding: Object.freeze({
      maxEventLoopDelayMs: readWholeNumber(env, 'LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS', 200, 0, 60_000),
      maxEventLoopUtilisation: readFraction(env, 'LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION', 0),
      sampleMs: readWholeNumber(env, 'LOAD_SHEDDING_SAMPLE_MS', 500, 10, 60_000),
    }),
    metrics: readMetrics(env, port),
    mediaDir: readMediaDir(env, databaseUrl),
    applications: Object.freeze({
      filesDir: readApplicationFilesDir(env, databaseUrl),
      retentionDays: readWholeNumber(env, 'APPLICATION_RETENTION_DAYS', 365, 1, 3650),
      cvInline: readSwitch(env, 'APPLICATION_CV_INLINE'),
      linkSecret: readLinkSecret(env),
    }),
    defaultTimezone: readTimezone(env),
    production: env.NODE_ENV === 'production',
    maintenance: readSwitch(env, 'MAINTENANCE_MODE'),
    rateLimitPerMinute: readWholeNumber(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    tokenRateLimitPerMinute: readWholeNumber(env, 'TOKEN_RATE_LIMIT_PER_MINUTE', 60, 0, 1_000_000),
    redisUrl: readRedisUrl(env),
    redisKeyPrefix: readRedisKeyPrefix(env),
    corsOrigins: readCorsOrigins(env),
    // Past a few minutes a stolen refresh token could be used long after the client's own refresh.
    refreshReuseSeconds: readWholeNumber(env, 'REFRESH_REUSE_SECONDS', 30, 0, 300),
    authFailures: Object.freeze({
      perAddress: Object.freeze({
        limit: readWholeNumber(env, 'AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
        windowSeconds: readWholeNumber(env, 'AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
      }),
      perUsername: Object.freeze({
        limit: readWholeNumber(env, 'AUTH_USERNAME_FAILURE_LIMIT', 10, 0, 1_000_000),
        windowSeconds: readWholeNumber(env, 'AUTH_USERNAME_FAILURE_WINDOW_SECONDS', 300, 1, 86_400),
      }),
    }),
    logLevel: readLogLevel(env),
    demo: Object.freeze({
      clientId: env.JOBSPACE_DEMO_CLIENT_ID || undefined,
      clientSecret: env.JOBSPACE_DEMO_CLIENT_SECRET || undefined,
      username: readDemoUsername(env),
      password: readDemoPassword(env),
    }),
  });
}

/* Checked here rather than when the demo tenant is made: a refusal then would leave a new database half seeded. */
function readDemoPassword(env: Env): string | undefined {
  const password = env.JOBSPACE_DEMO_PASSWORD || undefined;
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError('JOBSPACE_DEMO_PASSWORD', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return password;
}

function readDemoUsername(env: Env): string | undefined {
  const username = env.JOBSPACE_DEMO_USERNAME || undefined;
  const problem = username === undefined ? undefined : usernameProblem(username);
  if (problem) throw new ConfigError('JOBSPACE_DEMO_USERNAME', problem);
  return username;
}

function readWholeNumber(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable] || String(fallback);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(variable, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** A decimal from 0 to 1 (`0.95`). */
function readFraction(env: Env, variable: string, fallback: number): number {
  const raw = env[variable] || String(fallback);
  const value = Number(raw);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(raw)) {
    throw new ConfigError(variable, `must be a decimal from 0 to 1, got "${raw}"`);
  }
  return value;
}

function readSwitch(env: Env, variable: string): boolean {
  const raw = (env[variable] || 'off').toLowerCase();
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(variable, `must be on or off, got "${env[variable]}"`);
}

function readPort(env: Env): number {
  return readWholeNumber(env, 'PORT', 8080, 0, 65535);
}

function readDatabaseUrl(env: Env): string {
  const url = env.DATABASE_URL || 'sqlite:./data/jobspace.sqlite';
  if (!isStoreUrl(url)) {
    throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got "${url}"`);
  }
  return url;
}

/** `auto` is one per core; a number is checked so a typo cannot fork hundreds. */
function readWorkers(env: Env, databaseUrl: string): number {
  const raw = env.WORKERS || '1';
  const workers = raw === 'auto' ? availableParallelism() : Number(raw);
  if (raw !== 'auto' && (!/^\d+$/.test(raw) || workers < 1 || workers > 64)) {
    throw new ConfigError('WORKERS', `must be auto or a whole number from 1 to 64, got "${raw}"`);
  }
  // Each process would open an empty database of its own.
  if (workers > 1 && sqliteFileOf(databaseUrl) === ':memory:') {
    throw new ConfigError('WORKERS', `must be 1 with DATABASE_URL=sqlite::memory:, got "${raw}"`);
  }
  return workers;
}

/* An address, or a name and an address in angle brackets: what nodemailer takes as From. */
function readMailFrom(env: Env, port: number): string {
  const raw = env.MAIL_FROM || `The Job Space <no-reply@${new URL(readPublicUrl(env, port)).hostname}>`;
  if (raw.length > 320 || !/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(raw)) {
    throw new ConfigError('MAIL_FROM', `must be an e-mail address such as jobs@board.example or "Jobs <jobs@board.example>", got "${raw}"`);
  }
  return raw;
}

/**
 * A service's URL (SMTP, Redis) with one of its schemes and a host, or null when unset. A bad value is not
 * echoed: it may hold a password.
 */
function readServiceUrl(env: Env, variable: string, schemes: readonly string[], expected: string): URL | null {
  const raw = env[variable] || undefined;
  if (raw === undefined) return null;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol) || !url.hostname) {
    throw new ConfigError(variable, `must be ${expected}`);
  }
  return url;
}

const readSmtpUrl = (env: Env) => readServiceUrl(env, 'SMTP_URL', ['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL such as smtp://user:password@mail.example:587')?.href ?? null;
// Kept as given: ioredis reads the URL itself.
const readRedisUrl = (env: Env) => (readServiceUrl(env, 'REDIS_URL', ['redis:', 'rediss:'], 'a redis:// or rediss:// URL such as redis://:password@cache.internal:6379/0') ? (env.REDIS_URL as string) : null);

/* Printable and without spaces, so that a key reads the same in redis-cli as in the logs. */
function readRedisKeyPrefix(env: Env): string {
  const raw = env.REDIS_KEY_PREFIX || 'jobspace:';
  if (!/^[\x21-\x7e]{1,100}$/.test(raw)) {
    throw new ConfigError('REDIS_KEY_PREFIX', `must be 1 to 100 printable characters without spaces, got "${raw}"`);
  }
  return raw;
}

/** `https://board.example,http://localhost:3000`: each an origin as browsers send it (scheme, host, port, no path), or `*` alone. */
function readCorsOrigins(env: Env): readonly string[] {
  const raw = env.CORS_ORIGINS || '';
  if (raw.trim() === '') return Object.freeze([]);
  const origins = raw.split(',').map((origin) => origin.trim());
  if (origins.length === 1 && origins[0] === '*') return Object.freeze(['*']);
  for (const origin of origins) {
    if (originOf(origin) !== origin) {
      throw new ConfigError('CORS_ORIGINS', `must be * or a comma-separated list of origins such as https://board.example, got "${origin}"`);
    }
  }
  return Object.freeze(origins);
}

/** The origin a browser would send for this URL, or undefined when it is not an http(s) URL. */
function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** At least 32 bytes: as hex (64+ digits), base64, or raw text of 32+ characters. */
const MIN_SIGNING_KEY_BYTES = 32;

/* Required in production: a generated key would live on one machine, and several would sign with different keys. */
function readSigningKey(env: Env): Buffer | null {
  const raw = env.WEBHOOK_SIGNING_KEY || undefined;
  if (raw === undefined) {
    if (env.NODE_ENV === 'production') {
      throw new ConfigError('WEBHOOK_SIGNING_KEY', `is required in production: ${MIN_SIGNING_KEY_BYTES} random bytes or more, e.g. \`openssl rand -hex 32\``);
    }
    return null;
  }
  const key = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'utf8');
  // The key is not echoed.
  if (key.length < MIN_SIGNING_KEY_BYTES) throw new ConfigError('WEBHOOK_SIGNING_KEY', `must hold at least ${MIN_SIGNING_KEY_BYTES} bytes (64 hex digits)`);
  return key;
}

function readDeliveries(env: Env, databaseUrl: string): DeliveryConfig {
  const sqliteFile = sqliteFileOf(databaseUrl) ?? ':memory:';
  return Object.freeze({
    signingKey: readSigningKey(env),
    production: env.NODE_ENV === 'production',
    // Beside the SQLite file, as the logos are: a store and its key move together, yet a copy of the store alone lacks it.
    signingKeyFile: sqliteFile === ':memory:' ? resolve('data', 'webhook-signing.key') : join(dirname(resolve(sqliteFile)), 'webhook-signing.key'),
    allowPrivateTargets: readSwitch(env, 'WEBHOOK_ALLOW_PRIVATE'),
    pollMs: readWholeNumber(env, 'DELIVERY_POLL_MS', 1000, 0, 3_600_000),
  });
}

function readPublicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL || `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL', `must be an absolute http(s) URL, got "${raw}"`);
  }
  // The parsed form, so stray spaces or an odd spelling never reach a link.
  return url.href.replace(/\/+$/, '');
}

/*
 * Beside the SQLite file by default, so that a store and its logos move
 * together; ./data/media for PostgreSQL and an in-memory store. Resolved at
 * start, so a later change of working directory cannot move it.
 */
function readMediaDir(env: Env, databaseUrl: string): string {
  return readFolder(env, 'MEDIA_DIR', databaseUrl, 'media');
}

function readFolder(env: Env, variable: string, databaseUrl: string, name: string): string {
  const raw = env[variable];
  if (raw !== undefined && raw !== '') {
    // A stray space from an env file would name another folder, silently.
    if (raw.trim() !== raw) {
      throw new ConfigError(variable, `must be a folder path without surrounding spaces, got "${raw}"`);
    }
    return resolve(raw);
  }
  const sqliteFile = sqliteFileOf(databaseUrl) ?? ':memory:';
  return sqliteFile === ':memory:' ? resolve('data', name) : join(dirname(resolve(sqliteFile)), name);
}

/* `jobspace job purge` removes the logo folder's files that no job names: CVs must never be among them. */
function readApplicationFilesDir(env: Env, databaseUrl: string): string {
  const folder = readFolder(env, 'APPLICATION_FILES_DIR', databaseUrl, 'applications');
  if (folder === readMediaDir(env, databaseUrl)) {
    throw new ConfigError('APPLICATION_FILES_DIR', `must not be the MEDIA_DIR folder, got "${folder}"`);
  }
  return folder;
}

/* Long enough that guessing is hopeless even unthrottled. */
const MIN_METRICS_TOKEN_LENGTH = 32;

function readMetrics(env: Env, port: number): MetricsConfig {
  const token = env.METRICS_TOKEN || null;
  // Not echoed: it is a secret. Printable and without spaces, so that it fits an Authorization header as it is.
  if (token !== null && (token.length < MIN_METRICS_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token))) {
    throw new ConfigError('METRICS_TOKEN', `must be at least ${MIN_METRICS_TOKEN_LENGTH} printable characters without spaces, e.g. \`openssl rand -hex 32\``);
  }
  const metricsPort = env.METRICS_PORT ? readWholeNumber(env, 'METRICS_PORT', 0, 1, 65535) : null;
  if (metricsPort !== null && metricsPort === port) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port}): it is a listener of its own`);
  }
  // Loopback by default: a listener without authentication is opened to a network only on purpose.
  return Object.freeze({ token, port: metricsPort, host: env.METRICS_HOST || '127.0.0.1' });
}

/* A key short enough to guess would let anyone sign a CV link. */
const MIN_LINK_SECRET_LENGTH = 32;

function readLinkSecret(env: Env): string | null {
  const raw = env.APPLICATION_LINK_SECRET || undefined;
  if (raw === undefined) return null;
  if (raw.length < MIN_LINK_SECRET_LENGTH) {
    // The value is a secret: it is not echoed.
    throw new ConfigError('APPLICATION_LINK_SECRET', `must be at least ${MIN_LINK_SECRET_LENGTH} characters`);
  }
  return raw;
}

function readTimezone(env: Env): string {
  const zone = env.DEFAULT_TIMEZONE || 'UTC';
  if (!IANAZone.isValidZone(zone)) {
    throw new ConfigError('DEFAULT_TIMEZONE', `must be an IANA time zone such as Europe/London, got "${zone}"`);
  }
  return zone;
}

function readLogLevel(env: Env): string {
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  return level;
}
