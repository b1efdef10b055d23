import { readFileSync } from 'node:fs';

/*
 * The server's resident memory, read from /proc/<pid>/status (VmRSS) every
 * 200 ms, summed over the server process and its workers; the peak is kept.
 */

const INTERVAL_MS = 200;

/** Resident bytes of one process, or 0 once it is gone. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function totalResidentBytes(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + residentBytes(pid), 0);
}

export interface RssSampler {
  /** Stops sampling; the largest sum seen, in bytes. */
  stop(): number;
}

export function sampleRss(pids: () => readonly number[]): RssSampler {
  let peak = totalResidentBytes(pids());
  const timer = setInterval(() => {
    peak = Math.max(peak, totalResidentBytes(pids()));
  }, INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, totalResidentBytes(pids()));
    },
  };
}
