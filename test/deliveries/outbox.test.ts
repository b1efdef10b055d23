import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newEventId } from '../../src/deliveries/outbox.ts';

describe('newEventId', () => {
  it('is a UUID of version 7, unlike any other made in the same millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 100 }, () => newEventId(now));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('sorts by the time it was made', () => {
    const earlier = newEventId(Date.UTC(2026, 0, 1));
    const later = newEventId(Date.UTC(2026, 0, 1) + 1);
    assert.ok(earlier < later, `${earlier} before ${later}`);
  });
});
