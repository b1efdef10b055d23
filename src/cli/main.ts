import { ConfigError } from '../config.ts';
import { CopyError } from '../db/copy.ts';
import { BackupError } from '../db/dialects/sqlite-backup.ts';
import { TenancyError } from '../tenancy/service.ts';
import { SeedError } from '../seed/fake-jobs.ts';
import { readOptions, UsageError } from './arguments.ts';
import { type Command, COMMANDS, type Io } from './commands.ts';
import { commandUsage, overallUsage } from './help.ts';

/*
 * The operator command, as a function: bin/jobspace.js runs it for the
 * installed binary, and tests call it in the same process. It returns the
 * exit code, and prints nothing but through `io`.
 */

/** 0 done, 1 failed unexpectedly, 2 refused: bad input, or an action the store does not allow. */
export async function runJobspace(argv: readonly string[], io: Io): Promise<number> {
  try {
    io.stdout.write(await answer(argv, io));
    return 0;
  } catch (error) {
    io.stderr.write(`jobspace: ${problemOf(error)}\n`);
    return isRefusal(error) ? 2 : 1;
  }
}

/** Everything up to the command is checked before its store is opened, so a typo never creates or migrates a database. */
async function answer(argv: readonly string[], io: Io): Promise<string> {
  if (argv[0] === 'help') return help(argv.slice(1));
  const words = argv.slice(0, leadingWords(argv));
  if (words.length === 0) {
    if (argv.length > 0 && argv.every((arg) => arg === '--help' || arg === '-h')) return overallUsage(COMMANDS);
    throw new UsageError('no command given (jobspace help lists the commands)');
  }
  const command = findCommand(words);
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) return commandUsage(command);
  const output = await command.run(readOptions(command.name, command.options, rest), io);
  return output.endsWith('\n') || output === '' ? output : `${output}\n`;
}

function help(words: readonly string[]): string {
  const option = words.find((word) => word.startsWith('-'));
  if (option) throw new UsageError(`help takes a command, not options such as "${option}"`);
  return words.length === 0 ? overallUsage(COMMANDS) : commandUsage(findCommand(words, true));
}

/** A command is one or two words; the options follow. */
function leadingWords(argv: readonly string[]): number {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  return Math.min(firstOption === -1 ? argv.length : firstOption, 2);
}

function findCommand(words: readonly string[], exact = false): Command {
  const byName = (name: string) => COMMANDS.find((command) => command.name === name);
  const command = byName(words.slice(0, 2).join(' ')) ?? byName(words[0] ?? '');
  if (command && (!exact || command.name === words.join(' '))) return command;
  const others = COMMANDS.filter((known) => known.name.startsWith(`${words[0]} `)).map((known) => known.name.split(' ')[1]);
  const hint = others.length > 0 ? `; ${words[0]} has ${others.join(', ')}` : '';
  throw new UsageError(`unknown command "${words.join(' ')}"${hint} (jobspace help lists the commands)`);
}

function isRefusal(error: unknown): boolean {
  return [UsageError, TenancyError, ConfigError, CopyError, BackupError, SeedError].some((kind) => error instanceof kind);
}

/** One line, whatever the error: a stack trace or a driver's multi-line message is for a debugger, not an operator. */
function problemOf(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() || 'unknown error';
  return isRefusal(error) ? message : `failed: ${message}`;
}
