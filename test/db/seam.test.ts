import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

/* STYLE convention 4, checked: what differs between the stores is in src/db/dialects/ alone. */
describe('the dialect seam', () => {
  const SRC = join(import.meta.dirname, '../../src');
  const outsideTheSeam = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith(join('db', 'dialects')))
    .map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
  const offending = (pattern: RegExp) => outsideTheSeam.filter(({ text }) => pattern.test(text)).map(({ file }) => file);

  it('is the only code that imports a database driver', () => {
    assert.deepEqual(offending(/from '(pg|better-sqlite3)'/), []);
  });

  it('is the only code that names a store', () => {
    assert.deepEqual(offending(/'(sqlite|postgres)'/), []);
  });
});
