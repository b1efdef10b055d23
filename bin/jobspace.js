#!/usr/bin/env node
// The operator command: runs src/cli/main.ts through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { runJobspace } = await import('../src/cli/main.ts');
// exitCode rather than exit(): stdout is flushed first, and a handle left open would show as a hang in the smoke tests.
process.exitCode = await runJobspace(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
