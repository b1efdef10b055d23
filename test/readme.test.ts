import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT } from './support/cli.ts';
import { type ServerProcess, startServer } from './server/process.ts';

/*
 * The README's walkthrough, run as printed: its shell blocks in one bash
 * session against a freshly started server whose demo tenant is generated,
 * starting from the `export` line that server printed. Every block followed
 * by an answer block must print that answer, `…` standing for any text.
 */

interface Step {
  readonly script: string;
  /** The answer the README shows, if it shows one. */
  readonly answer?: string;
}

const WALKTHROUGH_HEADING = '## Walkthrough';
const ELLIPSIS = '…';

/** The fenced blocks of the walkthrough section, in order: `sh` ones are run, the block after one is its answer. */
function walkthroughSteps(readme: string): Step[] {
  const start = readme.indexOf(WALKTHROUGH_HEADING);
  assert.ok(start >= 0, `the README has no "${WALKTHROUGH_HEADING}" section`);
  const end = readme.indexOf('\n## ', start + WALKTHROUGH_HEADING.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```(\w*)\n([^]*?)^```$/gm)].map(([, lang, body = '']) => ({ lang, body: body.trimEnd() }));
  const steps: Step[] = [];
  blocks.forEach((block, index) => {
    if (block.lang !== 'sh') return;
    const next = blocks[index + 1];
    steps.push({ script: block.body, answer: next && next.lang !== 'sh' ? next.body : undefined });
  });
  return steps;
}

/** The shown answer as a whole-text pattern: literal, but for `…`. */
function answerPattern(answer: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${answer.split(ELLIPSIS).map(literal).join('[^]*?')}$`);
}

/** Runs every step in one bash session, so variables carry from step to step; returns each step's output. */
function runSteps(steps: readonly Step[], cwd: string): Promise<string[]> {
  const marker = (index: number) => `@@ step ${index} @@`;
  const script = steps.map((step, index) => `printf '\\n%s\\n' '${marker(index)}'\n${step.script}`).join('\n');
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { cwd, timeout: 60_000, env: { PATH: process.env.PATH, HOME: cwd } }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`the walkthrough failed: ${error.message}\n${stderr}`));
      const outputs = stdout.split(/\n@@ step \d+ @@\n/).slice(1);
      resolve(outputs.map((output) => output.trim()));
    });
  });
}

describe('the README walkthrough', { timeout: 120_000 }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-readme-'));
  const steps = walkthroughSteps(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  let server: ServerProcess;

  before(async () => {
    // A newcomer's first start: a brand-new store and no chosen credentials.
    const generated = { JOBSPACE_DEMO_CLIENT_ID: '', JOBSPACE_DEMO_CLIENT_SECRET: '', JOBSPACE_DEMO_USERNAME: '', JOBSPACE_DEMO_PASSWORD: '' };
    server = await startServer({ ...generated, LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${join(folder, 'jobspace.sqlite')}` });
    // The banner follows listening: it may reach us just after the first ready answer.
    for (let waited = 0; !exportLine() && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  after(() => {
    server?.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  const exportLine = () => /^ {2}(export BASE=.*)$/m.exec(server?.stdout ?? '')?.[1];

  it('starts from the export line the server printed, shown in the README as it is printed', () => {
    const printed = exportLine();
    assert.ok(printed, `no export line in the start-up output:\n${server.stdout}`);
    assert.match(printed, answerPattern((steps[0]?.script ?? '').replace('http://localhost:8080', ELLIPSIS)));
  });

  it('runs every step as printed, each printing the answer shown', async () => {
    const printed = exportLine() as string;
    const outputs = await runSteps([{ script: printed }, ...steps.slice(1)], folder);
    assert.equal(outputs.length, steps.length);
    steps.forEach((step, index) => {
      if (step.answer === undefined) return;
      assert.match(outputs[index] ?? '', answerPattern(step.answer), `step ${index}:\n${step.script}`);
    });
    assert.ok(steps.filter((step) => step.answer !== undefined).length >= 10, 'the walkthrough shows fewer answers than it did');
  });
});
