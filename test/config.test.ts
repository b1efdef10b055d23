import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('loadConfig', () => {
  it('falls back to the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'sqlite:./data/jobspace.sqlite');
    assert.equal(config.publicUrl, 'http://localhost:8080');
    assert.equal(config.defaultTimezone, 'UTC');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.production, false);
    assert.equal(config.refreshReuseSeconds, 30);
    assert.deepEqual(config.authFailures, {
      perAddress: { limit: 20, windowSeconds: 60 },
      perUsername: { limit: 10, windowSeconds: 300 },
    });
    assert.deepEqual(config.loadShedding, { maxEventLoopDelayMs: 200, maxEventLoopUtilisation: 0, sampleMs: 500 });
    assert.deepEqual(config.databaseTimeouts, { connectMs: 5_000, statementMs: 30_000, lockWaitMs: 5_000 });
    assert.equal(config.keepAliveTimeoutMs, 72_000);
    assert.ok(Object.isFrozen(config));
  });

  it('reads the database and keep-alive timeouts, a statement timeout of 0 turning it off', () => {
    const config = loadConfig({
      DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_LOCK_TIMEOUT_MS: '250', KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    assert.deepEqual(config.databaseTimeouts, { connectMs: 1_000, statementMs: 0, lockWaitMs: 250 });
    assert.equal(config.keepAliveTimeoutMs, 65_000);
  });

  it('reads the load-shedding bounds, 0 turning each off', () => {
    const config = loadConfig({ LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0', LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0.5', LOAD_SHEDDING_SAMPLE_MS: '250' });
    assert.deepEqual(config.loadShedding, { maxEventLoopDelayMs: 0, maxEventLoopUtilisation: 0.5, sampleMs: 250 });
    assert.equal(loadConfig({ LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '1' }).loadShedding.maxEventLoopUtilisation, 1);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', PUBLIC_URL: '', DEFAULT_TIMEZONE: '', LOG_LEVEL: '' });
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, 'sqlite:./data/jobspace.sqlite');
    assert.equal(config.publicUrl, 'http://localhost:8080');
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      PORT: '3000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://jobs@db:5432/jobs',
      DEFAULT_TIMEZONE: 'Europe/London',
      NODE_ENV: 'production',
      WEBHOOK_SIGNING_KEY: 'ab'.repeat(32),
      LOG_LEVEL: 'warn',
      JOBSPACE_DEMO_CLIENT_ID: 'demo',
    });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, 'postgres://jobs@db:5432/jobs');
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.defaultTimezone, 'Europe/London');
    assert.equal(config.production, true);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.demo.clientId, 'demo');
    assert.equal(config.demo.password, undefined);
  });

  it('keeps PUBLIC_URL as parsed, without a trailing slash', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://jobs.example/' }).publicUrl, 'https://jobs.example');
    assert.equal(loadConfig({ PUBLIC_URL: ' https://jobs.example/board/ ' }).publicUrl, 'https://jobs.example/board');
  });

  it('keeps logos in a media folder beside the SQLite file, else in ./data/media, or in MEDIA_DIR made absolute', () => {
    assert.equal(loadConfig({}).mediaDir, resolve('data/media'));
    assert.equal(loadConfig({ DATABASE_URL: 'sqlite:/srv/jobs/store.sqlite' }).mediaDir, '/srv/jobs/media');
    assert.equal(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).mediaDir, resolve('data/media'));
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://jobs@db:5432/jobs' }).mediaDir, resolve('data/media'));
    assert.equal(loadConfig({ MEDIA_DIR: 'uploads/logos' }).mediaDir, resolve('uploads/logos'));
  });

  it('keeps CVs in an applications folder beside the SQLite file, else in ./data/applications, or in APPLICATION_FILES_DIR, never MEDIA_DIR', () => {
    assert.equal(loadConfig({}).applications.filesDir, resolve('data/applications'));
    assert.equal(loadConfig({ DATABASE_URL: 'sqlite:/srv/jobs/store.sqlite' }).applications.filesDir, '/srv/jobs/applications');
    assert.equal(loadConfig({ APPLICATION_FILES_DIR: 'private/cvs' }).applications.filesDir, resolve('private/cvs'));
    assert.throws(() => loadConfig({ MEDIA_DIR: '/srv/files', APPLICATION_FILES_DIR: '/srv/files' }), /APPLICATION_FILES_DIR must not be the MEDIA_DIR/);
  });

  it('keeps applications 365 days by default, sends CVs as links and generates the link key unless told otherwise', () => {
    const { applications } = loadConfig({});
    assert.deepEqual({ ...applications, filesDir: undefined }, { filesDir: undefined, retentionDays: 365, cvInline: false, linkSecret: null });
    const set = loadConfig({ APPLICATION_RETENTION_DAYS: '30', APPLICATION_CV_INLINE: 'true', APPLICATION_LINK_SECRET: 'k'.repeat(32) }).applications;
    assert.deepEqual([set.retentionDays, set.cvInline, set.linkSecret], [30, true, 'k'.repeat(32)]);
  });

  it('rejects an APPLICATION_LINK_SECRET under 32 characters without echoing it', () => {
    assert.throws(
      () => loadConfig({ APPLICATION_LINK_SECRET: 'short-secret' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'APPLICATION_LINK_SECRET' && !error.message.includes('short-secret'),
    );
  });

  it('sends e-mail from no-reply at the host of PUBLIC_URL, or from MAIL_FROM, which must be an address', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://jobs.example' }).mailFrom, 'The Job Space <no-reply@jobs.example>');
    assert.equal(loadConfig({ MAIL_FROM: 'Jobs <jobs@board.example>' }).mailFrom, 'Jobs <jobs@board.example>');
    assert.equal(loadConfig({ MAIL_FROM: 'jobs@board.example' }).mailFrom, 'jobs@board.example');
    for (const bad of ['jobs', 'Jobs <jobs>', 'a@b\r\nBcc: c@d']) {
      assert.throws(() => loadConfig({ MAIL_FROM: bad }), (error: unknown) => error instanceof ConfigError && error.variable === 'MAIL_FROM');
    }
  });

  const badValues: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://x'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://jobs.example'],
    ['DEFAULT_TIMEZONE', 'Mars/Base'],
    ['LOG_LEVEL', 'loud'],
    ['REFRESH_REUSE_SECONDS', '301'],
    ['REFRESH_REUSE_SECONDS', '30s'],
    ['AUTH_FAILURE_LIMIT', '-1'],
    ['AUTH_FAILURE_WINDOW_SECONDS', '0'],
    ['AUTH_USERNAME_FAILURE_LIMIT', 'many'],
    ['AUTH_USERNAME_FAILURE_WINDOW_SECONDS', '86401'],
    ['MEDIA_DIR', '/srv/media '],
    ['APPLICATION_RETENTION_DAYS', '0'],
    ['APPLICATION_RETENTION_DAYS', '3651'],
    ['APPLICATION_CV_INLINE', 'maybe'],
    ['APPLICATION_FILES_DIR', ' cvs'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS', '-1'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS', '200ms'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS', '60001'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION', '1.5'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION', '95%'],
    ['LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION', '-0.1'],
    ['LOAD_SHEDDING_SAMPLE_MS', '0'],
    ['LOAD_SHEDDING_SAMPLE_MS', '9'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '0'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '5s'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '3600001'],
    ['DATABASE_LOCK_TIMEOUT_MS', '600001'],
    ['KEEP_ALIVE_TIMEOUT_MS', '999'],
  ];
  for (const [variable, value] of badValues) {
    it(`rejects ${variable}=${value} with a ConfigError naming ${variable}`, () => {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          error.message.startsWith(`${variable} `) &&
          error.message.includes(value),
      );
    });
  }

  it('rejects a JOBSPACE_DEMO_PASSWORD under 8 characters before anything is written, without echoing it', () => {
    assert.throws(
      () => loadConfig({ JOBSPACE_DEMO_PASSWORD: 'short7!' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'JOBSPACE_DEMO_PASSWORD' && !error.message.includes('short7!'),
    );
  });
});

describe('server start-up', () => {
  it('exits 1 with one line naming PORT when PORT is bad', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', 'src/server.ts'],
          { cwd: ROOT, env: { PATH: process.env.PATH, PORT: 'abc', LOG_LEVEL: 'silent' }, timeout: 60_000 },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      },
    );
    assert.equal(code, 1);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] as string, /\bPORT\b.*"abc"/);
  });
});
