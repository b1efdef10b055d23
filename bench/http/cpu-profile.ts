import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/*
 * The top self-time functions of a V8 .cpuprofile (from node --cpu-prof),
 * and the same time grouped by where the code lives: a package, a folder of
 * src/, Node's internals, or V8 itself (GC, builtins). Run on its own:
 *   node --import tsx bench/http/cpu-profile.ts FILE.cpuprofile [TOP] [SKIP_SECONDS]
 * SKIP_SECONDS leaves out the profile's first seconds (start-up).
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  /** Microseconds on the monotonic clock that process.hrtime reads. */
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly milliseconds: number;
  /** Of the time the process was not idle. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMilliseconds: number;
  readonly idleMilliseconds: number;
  readonly functions: readonly SelfTime[];
  readonly areas: readonly SelfTime[];
}

const ROOT_URL = pathToFileURL(fileURLToPath(new URL('../..', import.meta.url))).href;

/** A script's place, short: `src/jobs/service.ts`, `node_modules/fastify/…`, `node:internal/…`. */
function shortLocation(url: string): string {
  if (url.startsWith(ROOT_URL)) return url.slice(ROOT_URL.length).replace(/\?.*$/, '');
  return url;
}

function areaOf(frame: CallFrame): string {
  const location = shortLocation(frame.url);
  if (location === '') return frame.functionName.startsWith('(') ? frame.functionName : '(V8 builtins and native code)';
  const dependency = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (dependency) return `package ${dependency[1]}`;
  if (location.startsWith('src/')) return location.split('/').slice(0, 2).join('/');
  if (location.startsWith('node:')) return 'node internals';
  return location;
}

function nameOf(frame: CallFrame): string {
  const location = shortLocation(frame.url);
  const name = frame.functionName || '(anonymous)';
  return location === '' ? name : `${name}  ${location}:${frame.lineNumber + 1}`;
}

function ranked(times: Map<string, number>, busy: number, top: number): SelfTime[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, microseconds]) => ({ name, milliseconds: microseconds / 1000, share: busy > 0 ? microseconds / busy : 0 }));
}

/** Samples taken before `sinceMicros` (process.hrtime, in µs) are left out: start-up, say. */
export function summariseProfile(profile: CpuProfile, top = 25, sinceMicros = 0): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let clock = profile.startTime;
  // Each sample stands for the interval until the next one.
  profile.samples.forEach((nodeId, index) => {
    clock += profile.timeDeltas[index] ?? 0;
    const microseconds = profile.timeDeltas[index + 1] ?? 0;
    const frame = frames.get(nodeId);
    if (!frame || clock < sinceMicros) return;
    if (frame.functionName === '(idle)') {
      idle += microseconds;
      return;
    }
    busy += microseconds;
    const name = nameOf(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + microseconds);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + microseconds);
  });
  return { busyMilliseconds: busy / 1000, idleMilliseconds: idle / 1000, functions: ranked(byFunction, busy, top), areas: ranked(byArea, busy, top) };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export function formatSummary(file: string, summary: ProfileSummary): string {
  const line = (entry: SelfTime) => `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.milliseconds.toFixed(0).padStart(7)} ms  ${entry.name}`;
  return [
    `${file}: ${(summary.busyMilliseconds / 1000).toFixed(1)} s busy, ${(summary.idleMilliseconds / 1000).toFixed(1)} s idle`,
    'Self time by place:',
    ...summary.areas.map(line),
    'Top functions by self time:',
    ...summary.functions.map(line),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top, skip] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/http/cpu-profile.ts FILE.cpuprofile [TOP] [SKIP_SECONDS]\n');
    process.exit(2);
  }
  const profile = readProfile(file);
  const since = profile.startTime + Number(skip ?? 0) * 1e6;
  process.stdout.write(`${formatSummary(file, summariseProfile(profile, Number(top ?? 25), since))}\n`);
}
