import type { OptionSpec } from './arguments.ts';
import type { Command } from './commands.ts';

/* What `jobspace help` and `jobspace help <command>` print. */

const optionUsage = (name: string, spec: OptionSpec) => {
  const option = spec.value ? `--${name} ${spec.value}` : `--${name}`;
  return spec.required ? option : `[${option}]`;
};

export function commandUsage(command: Command): string {
  const options = Object.entries(command.options);
  const width = Math.max(...options.map(([name, spec]) => `--${name} ${spec.value ?? ''}`.trimEnd().length));
  const lines = [
    `Usage: jobspace ${command.name} ${options.map(([name, spec]) => optionUsage(name, spec)).join(' ')}`,
    '',
    `Purpose: ${command.about}.`,
    '',
    'Options:',
    ...options.map(([name, spec]) => `  ${`--${name} ${spec.value ?? ''}`.trimEnd().padEnd(width)}   ${spec.about}`),
    ...(command.notes ? ['', ...command.notes] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function overallUsage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'Usage: jobspace <command> [options]',
    '',
    'Acts on the database of DATABASE_URL, unless the command says otherwise.',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}   ${command.about}`),
    `  ${'help [command]'.padEnd(width)}   prints this, or one command's usage with its options explained`,
    '',
    'jobspace help <command>, or jobspace <command> --help, explains a command\'s options.',
    'Bad input exits 2 with one line on stderr; a failure exits 1. A command repeated once',
    'it is in effect (a second revoke, say) says so, changes nothing and exits 0.',
    '',
  ].join('\n');
}
