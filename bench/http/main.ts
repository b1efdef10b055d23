import { demoCredentials, prepareDataset, type DatasetOptions } from './dataset.ts';
import { UsageError } from './options.ts';
import { currentLoad } from './report.ts';

/*
 * What every benchmark command shares: its log lines timed from the start,
 * the undoing of whatever it started (in reverse, even after Ctrl-C), and
 * its way in: options parsed (a usage error is exit 2), --help, the run,
 * and an exit code.
 */

export interface BenchmarkCommand<O> {
  readonly usage: string;
  readonly parse: (argv: readonly string[]) => O | 'help';
  readonly run: (options: O, argv: readonly string[]) => Promise<number>;
}

export interface Harness {
  /** The name log lines and failures start with: `bench`, `bench:mixed`. */
  readonly name: string;
  say(line: string): void;
  /** Undone when the command ends, last first. */
  onCleanUp(step: () => Promise<unknown> | unknown): void;
  cleanUp(): Promise<void>;
}

export function createHarness(name: string): Harness {
  const launched = performance.now();
  const say = (line: string) => process.stderr.write(`[${name} ${((performance.now() - launched) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  return {
    name,
    say,
    onCleanUp: (step) => void cleanups.push(step),
    async cleanUp() {
      for (const step of cleanups.splice(0).reverse()) await Promise.resolve(step()).catch((error) => say(`cleanup: ${(error as Error).message}`));
    },
  };
}

export function runBenchmarkCommand<O>(harness: Harness, command: BenchmarkCommand<O>): void {
  const { say, cleanUp } = harness;

  async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    let options: O | 'help';
    try {
      options = command.parse(argv);
    } catch (error) {
      if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw error;
      process.stderr.write(`${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (options === 'help') {
      process.stdout.write(command.usage);
      return 0;
    }
    const interrupted = () => {
      say('interrupted: stopping the servers and dropping the data');
      void cleanUp().then(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      return await command.run(options, argv);
    } finally {
      await cleanUp();
    }
  }

  main().then(
    (code) => process.exit(code),
    async (error: unknown) => {
      process.stderr.write(`${harness.name} failed: ${(error as Error).stack ?? error}\n`);
      await cleanUp();
      process.exit(1);
    },
  );
}

/** The start of a run: when and at what load it began, and a fresh store seeded for it, dropped when the run ends. */
export async function seedRun(harness: Harness, options: Omit<DatasetOptions, 'credentials' | 'say'>) {
  const startedAt = new Date();
  const loadBefore = currentLoad();
  const credentials = demoCredentials();
  harness.say(`seeding ${options.jobs.toLocaleString('en-GB')} jobs into a fresh ${options.store} store (load average ${loadBefore.join(', ')})`);
  const dataset = await prepareDataset({ ...options, credentials, say: harness.say });
  harness.onCleanUp(() => dataset.drop());
  return { startedAt, loadBefore, credentials, dataset };
}
