// `npm start`: runs the built server, building it first only when src/ changed since the last build.
// Plain JavaScript, so it runs before there is a dist/; the server then runs in this same process,
// so the signals npm passes on reach it.
import cluster from 'node:cluster';
import { buildIfStale } from './build-if-stale.js';

// A cluster's workers run this file too; their primary has just built.
if (cluster.isPrimary) buildIfStale();
await import('../dist/server.js');
