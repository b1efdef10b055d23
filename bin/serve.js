// `npm start`: runs the built server, building it first only when src/ changed since the last build.
// Plain JavaScript, so it runs before there is a dist/; the server then runs in this same process,
// so the signals npm passes on reach it.
import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
// tsc rewrites every output on each build, so the entry point's own time is the time of the last build.
const BUILD_STAMP = join(ROOT, 'dist', 'server.js');

/** The newest modification time of a file or of anything under a folder; 0 when it does not exist. */
function newestChange(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

function isBuildStale() {
  const built = newestChange(BUILD_STAMP);
  return built === 0 || BUILD_INPUTS.some((input) => newestChange(join(ROOT, input)) > built);
}

/** Compiles src/ to dist/ as `npm run build` does; tsc's messages go to stderr, keeping stdout for the log. */
function build() {
  process.stderr.write('src/ changed since the last build: building dist/ (npm run build)\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(`Start-up failed: the build failed (tsc exited with ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

// A cluster's workers run this file too; their primary has just built.
if (cluster.isPrimary && isBuildStale()) build();
await import('../dist/server.js');
