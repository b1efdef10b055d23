import { drive, type LoadSettings, type Measurement } from './load.ts';
import { type ChildServer, type JobServerOptions, startJobServer, waitUntilQuiet } from './processes.ts';
import { buildScenario, type ScenarioContext, type ScenarioName } from './scenarios.ts';
import { driveListsUnderWrites } from './under-writes.ts';

/*
 * Runs a scenario against a target: warm-up, then the measured run, each
 * starting on an idle server. autocannon abandons a request after 10 s and
 * sends another, but the server still serves the abandoned one; a scenario
 * the server cannot keep up with leaves a backlog that would be served in the
 * next run's time. So each run waits until the server stops using CPU, and a
 * job server still busy after SETTLE_TIMEOUT_MS is restarted on the same data.
 */

const SETTLE_TIMEOUT_MS = 30_000;

/** What autocannon drives. */
export interface Target {
  readonly name: string;
  readonly port: number;
  /** The processes whose memory counts. */
  pids(): readonly number[];
  /** Returns once the target is idle: the requests the previous run abandoned are done, or the server was restarted. */
  settle(before: string): Promise<void>;
}

/** A child server as a target: what autocannon needs of it, and stopping it. */
abstract class ServerTarget implements Target {
  constructor(protected server: ChildServer) {}

  get name() {
    return this.server.name;
  }

  get port() {
    return this.server.port;
  }

  pids() {
    return this.server.pids();
  }

  abstract settle(before: string): Promise<void>;

  stop() {
    return this.server.stop();
  }

  kill() {
    this.server.kill();
  }
}

export class CeilingTarget extends ServerTarget {
  async settle(): Promise<void> {
    await waitUntilQuiet(() => this.pids(), SETTLE_TIMEOUT_MS);
  }
}

/** The real server, restarted when a run leaves it swamped; `notes` says when it was. */
export class JobServerTarget extends ServerTarget {
  readonly notes: string[] = [];

  private constructor(
    server: ChildServer,
    private readonly options: JobServerOptions,
    private readonly say: (line: string) => void,
  ) {
    super(server);
  }

  static async start(options: JobServerOptions, say: (line: string) => void): Promise<JobServerTarget> {
    return new JobServerTarget(await startJobServer(options), options, say);
  }

  get recentOutput() {
    return this.server.recentOutput;
  }

  async settle(before: string): Promise<void> {
    if (await waitUntilQuiet(() => this.pids(), SETTLE_TIMEOUT_MS)) return;
    const note = `Before ${before}, the server was still busy ${SETTLE_TIMEOUT_MS / 1000} s after the previous run (serving requests autocannon had given up on), so it was restarted.`;
    this.say(note);
    this.notes.push(note);
    await this.server.stop();
    this.server = await startJobServer(this.options, this.server.port);
  }
}

export interface Runner {
  readonly settings: LoadSettings;
  /** Seconds of unmeasured load before each measured run. */
  readonly warmup: number;
  /** A scenario context for one phase; each phase varies its requests with a seed of its own. */
  readonly context: (phase: string) => ScenarioContext;
}

/** One run of a scenario: autocannon, or for lists under writes the client that times the lists alone. */
function driveScenario(port: number, name: ScenarioName, context: ScenarioContext, settings: LoadSettings, serverPids: () => readonly number[]): Promise<Measurement> {
  if (name === 'list-under-writes') return driveListsUnderWrites(port, context, settings, serverPids);
  return drive(port, buildScenario(name, context), settings, serverPids);
}

export async function runScenario(runner: Runner, name: ScenarioName, label: string, target: Target): Promise<Measurement> {
  if (runner.warmup > 0) {
    await target.settle(`the warm-up of ${label}`);
    // Counted finely, so a short warm-up is not stretched to the next whole second.
    const warmup = { ...runner.settings, seconds: runner.warmup, sampleMs: 100 };
    await driveScenario(target.port, name, runner.context(`${name}-warmup`), warmup, () => []);
  }
  await target.settle(`the measured run of ${label}`);
  return driveScenario(target.port, name, runner.context(name), runner.settings, () => target.pids());
}
