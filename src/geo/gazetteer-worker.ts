import { parentPort } from 'node:worker_threads';
import { packGazetteer } from './gazetteer.ts';

/* Builds the gazetteer index away from the main thread's heap (see loadGazetteerApart). */
const packed = packGazetteer();
parentPort?.postMessage(packed, [packed.coordinates.buffer, packed.populations.buffer,
  packed.byCountryAndName.places.buffer, packed.byName.places.buffer] as ArrayBuffer[]);
