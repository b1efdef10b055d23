import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runJobspace as runInThisProcess } from '../../src/cli/main.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an operator command in this process, as the binary would run it,
 * with only these variables set: milliseconds, where a process costs seconds.
 */
export async function runJobspace(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const run = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (text: string) => (run.stdout += text) },
    stderr: { write: (text: string) => (run.stderr += text) },
    env: { LOG_LEVEL: 'silent', ...env },
  };
  const code = await runInThisProcess(args, io);
  return { code, ...run };
}

/** Runs the installed `jobspace` binary as an operator would, with only PATH and these variables set. */
export function runJobspaceBinary(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/jobspace.js', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}
