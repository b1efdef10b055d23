import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FailedAttempts, FailureCounter } from '../../src/auth/failed-attempts.ts';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const failTimes = (counter: FailureCounter, key: string, times: number, now = T0) => {
  for (let i = 0; i < times; i += 1) counter.record(key, now);
};

describe('FailureCounter', () => {
  it('lets a key fail up to its limit, then refuses it until its window ends', () => {
    const counter = new FailureCounter({ limit: 3, windowSeconds: 60 });
    failTimes(counter, 'a', 2);
    assert.equal(counter.retryAfterSeconds('a', T0), 0, 'under the limit');
    counter.record('a', T0 + 10_000);
    assert.equal(counter.retryAfterSeconds('a', T0 + 10_000), 50, 'the window opened at the first failure');
    assert.equal(counter.retryAfterSeconds('a', T0 + 59_500), 1, 'rounded up, never 0 while refused');
    assert.equal(counter.retryAfterSeconds('a', T0 + 60_000), 0, 'the window has ended');
  });

  it('starts a new window, and a new count, after the last one ended', () => {
    const counter = new FailureCounter({ limit: 2, windowSeconds: 60 });
    failTimes(counter, 'a', 2);
    counter.record('a', T0 + 61_000);
    assert.equal(counter.retryAfterSeconds('a', T0 + 61_000), 0);
    counter.record('a', T0 + 62_000);
    assert.equal(counter.retryAfterSeconds('a', T0 + 62_000), 59);
  });

  it('counts each key alone', () => {
    const counter = new FailureCounter({ limit: 1, windowSeconds: 60 });
    counter.record('a', T0);
    assert.ok(counter.retryAfterSeconds('a', T0) > 0);
    assert.equal(counter.retryAfterSeconds('b', T0), 0);
  });

  it('never refuses with a limit of 0', () => {
    const counter = new FailureCounter({ limit: 0, windowSeconds: 60 });
    failTimes(counter, 'a', 100);
    assert.equal(counter.retryAfterSeconds('a', T0), 0);
  });

  it('keeps at most maxKeys keys, forgetting the one whose window opened first', () => {
    const counter = new FailureCounter({ limit: 1, windowSeconds: 60 }, 2);
    counter.record('a', T0);
    counter.record('b', T0 + 1);
    counter.record('c', T0 + 2);
    assert.equal(counter.retryAfterSeconds('a', T0 + 3), 0, 'forgotten');
    assert.ok(counter.retryAfterSeconds('b', T0 + 3) > 0);
    assert.ok(counter.retryAfterSeconds('c', T0 + 3) > 0);
  });

  it('forgets, when full, the window that ends first, even if its key failed again since', () => {
    const counter = new FailureCounter({ limit: 2, windowSeconds: 60 }, 2);
    counter.record('a', T0);
    counter.record('b', T0 + 1);
    counter.record('b', T0 + 2);
    counter.record('a', T0 + 2);
    counter.record('c', T0 + 3);
    assert.equal(counter.retryAfterSeconds('a', T0 + 4), 0, 'forgotten');
    assert.ok(counter.retryAfterSeconds('b', T0 + 4) > 0);
  });
});

describe('FailedAttempts', () => {
  const limits = { perAddress: { limit: 3, windowSeconds: 60 }, perUsername: { limit: 2, windowSeconds: 300 } };

  it('refuses a username over its limit from any address, and only attempts naming it', () => {
    const failures = new FailedAttempts(limits);
    failures.record({ address: '10.0.0.1', username: 'ann' }, T0);
    failures.record({ address: '10.0.0.2', username: 'ann' }, T0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.3', username: 'ann' }, T0), 300);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.3', username: 'bob' }, T0), 0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.1' }, T0), 0, 'each address is under its own limit');
  });

  it('counts a username in any letter case as the one user it names', () => {
    const failures = new FailedAttempts(limits);
    failures.record({ address: '10.0.0.1', username: 'Ann@Acme.example' }, T0);
    failures.record({ address: '10.0.0.2', username: 'ANN@ACME.EXAMPLE' }, T0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.3', username: 'ann@acme.example' }, T0), 300);
  });

  it('refuses an address over its limit whatever the username, and answers with the later of the two ends', () => {
    const failures = new FailedAttempts(limits);
    for (const username of ['a', 'b', 'c']) failures.record({ address: '10.0.0.1', username }, T0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.1', username: 'd' }, T0), 60);
    failures.record({ address: '10.0.0.9', username: 'a' }, T0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.1', username: 'a' }, T0), 300);
  });

  it('counts an attempt without a username against its address alone', () => {
    const failures = new FailedAttempts(limits);
    failures.record({ address: '10.0.0.1' }, T0);
    failures.record({ address: '10.0.0.1' }, T0);
    assert.equal(failures.retryAfterSeconds({ address: '10.0.0.2', username: 'undefined' }, T0), 0);
  });
});
