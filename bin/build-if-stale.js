// Builds src/ to dist/ (`npm run build`) only when something it is built from changed since the
// last build. `npm start` (bin/serve.js) and the benchmarks run it; run alone, it does just that.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** Compiles src/ to dist/ when stale; tsc's messages go to stderr, keeping stdout for the log. Exits 1 if the build fails. */
export function buildIfStale() {
  if (!isBuildStale()) return;
  process.stderr.write('src/ changed since the last build: building dist/ (npm run build)\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(`Start-up failed: the build failed (tsc exited with ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) buildIfStale();
