import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deriveLocationDisplay, deriveSummary, normalisePostcode } from '../../src/jobs/derive.ts';

const characters = (value: string) => [...value].length;

describe('derived values', () => {
  it('cut a location display of two full areas to the 255 characters its field takes', () => {
    assert.equal(deriveLocationDisplay('M'.repeat(255), 'S'.repeat(255)), 'M'.repeat(255));
    assert.equal(deriveLocationDisplay('M'.repeat(250), 'South Yorkshire'), `${'M'.repeat(250)}, Sou`);
  });

  it('count characters as code points, never splitting one', () => {
    const city = '🏙'.repeat(200);
    const display = deriveLocationDisplay(city, 'S'.repeat(255));
    assert.equal(display, `${city}, ${'S'.repeat(53)}`);
    assert.equal(characters(display), 255);
    assert.equal(characters(deriveSummary(`<p>${'😀'.repeat(400)}</p>`)), 300);
  });

  it('trim what the cut leaves at the end', () => {
    assert.equal(deriveLocationDisplay('M'.repeat(253), 'South Yorkshire'), `${'M'.repeat(253)},`);
    assert.equal(deriveSummary(`${'word '.repeat(60)}next`), `${'word '.repeat(59)}word`);
  });

  it('keep a postcode that upper case lengthens within 255 characters', () => {
    assert.equal(normalisePostcode('ß'.repeat(255)), 'S'.repeat(255));
  });

  it('leave values within their limits as they were', () => {
    assert.equal(deriveLocationDisplay('Sheffield', 'South Yorkshire'), 'Sheffield, South Yorkshire');
    assert.equal(deriveLocationDisplay('Sheffield', null), 'Sheffield');
    assert.equal(deriveSummary('<p>Keep the <b>books</b>.</p>'), 'Keep the books.');
    assert.equal(normalisePostcode('s1 4by'), 'S14BY');
  });
});
