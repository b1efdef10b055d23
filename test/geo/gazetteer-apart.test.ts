import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { findPlace, findPlaceAnywhere, gazetteerWorker, packGazetteer, unpackIndex, type PackedIndex } from '../../src/geo/gazetteer.ts';

describe('the gazetteer built in a worker thread', () => {
  it('hands back the same index the process would build itself', async () => {
    const worker = gazetteerWorker();
    const [packed] = (await once(worker, 'message')) as [PackedIndex];
    await worker.terminate();
    const apart = unpackIndex(packed);
    const here = unpackIndex(packGazetteer());
    assert.equal(apart.byName.size, here.byName.size);
    assert.equal(apart.byCountryAndName.size, here.byCountryAndName.size);
    assert.ok(apart.byCountryAndName.size > 100_000);
    assert.deepEqual(apart.byCountryAndName.get('GB|sheffield'), findPlace('GB', 'Sheffield'));
    assert.deepEqual(apart.byName.get('koln'), findPlaceAnywhere('Cologne'), 'aliases included');
    assert.equal(apart.byName.get('rotherham'), apart.byCountryAndName.get('GB|rotherham'), 'one place object for both keys');
  });
});
