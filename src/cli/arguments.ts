import { parseArgs } from 'node:util';

/* Reading one command's options: every problem becomes one UsageError naming the option. */

/** The command line is wrong: the operator gets one line and exit 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** What the value stands for in the usage (`H`, `URL`); absent for a switch such as --force. */
  readonly value?: string;
  readonly required?: true;
  /** One line for `jobspace help <command>`. */
  readonly about: string;
  /** Says what is wrong with a value (`must be …`), or nothing when it is fine; checked before any store is opened. */
  readonly check?: (value: string) => string | undefined;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Options as given: text for those taking a value, true for switches. */
export type Values = Readonly<Record<string, string | true | undefined>>;

/**
 * Parsed loosely, then checked here, because node's strict mode refuses
 * `--credits -5` as ambiguous and words its errors for programmers. Loosely,
 * an option taking a value takes the next argument whatever it starts with.
 */
export function readOptions(command: string, specs: OptionSpecs, args: readonly string[]): Values {
  const parseOptions = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { type: spec.value ? ('string' as const) : ('boolean' as const) }]),
  );
  const { tokens } = parseArgs({ args: [...args], options: parseOptions, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | true> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}"${hintFor(command)}`);
    if (token.kind === 'option-terminator') continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (!spec) throw new UsageError(`${command} has no option ${token.rawName}${hintFor(command)}`);
    if (Object.hasOwn(values, token.name)) throw new UsageError(`--${token.name} is given twice`);
    values[token.name] = valueOf(token.name, spec, token.value, token.inlineValue === true);
  }
  const missing = Object.entries(specs).filter(([name, spec]) => spec.required && values[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`${command} needs ${missing.map(([name, spec]) => `--${name} ${spec.value}`).join(', ')}${hintFor(command)}`);
  }
  return values;
}

function valueOf(name: string, spec: OptionSpec, value: string | undefined, inline: boolean): string | true {
  if (!spec.value) {
    if (value !== undefined) throw new UsageError(`--${name} takes no value, got "${value}"`);
    return true;
  }
  // A value that looks like the next option means this one was left without its own; --name=-x says it is meant.
  const looksLikeAnOption = !inline && !spec.check && /^--?[a-z]/i.test(value ?? '');
  if (value === undefined || looksLikeAnOption) throw new UsageError(`--${name} needs a value (${spec.value})`);
  const problem = spec.check?.(value);
  if (problem) throw new UsageError(`--${name} ${problem}, got "${value}"`);
  return value;
}

export const hintFor = (command: string) => ` (jobspace help ${command} for its options)`;

/** Digits only, so 1.5, 1e3, 0x10 and " 5" are refused rather than read as some other number. */
export function wholeNumber(min: number, max: number): (value: string) => string | undefined {
  return (value) => {
    const number = /^-?\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
    return number >= min && number <= max ? undefined : `must be a whole number from ${min} to ${max}`;
  };
}

export function calendarDay(value: string): string | undefined {
  const exists = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);
  return exists ? undefined : 'must be a day that exists, as YYYY-MM-DD';
}

/** A number option's value, once readOptions has checked it. */
export const numberOf = (value: string | true | undefined) => (typeof value === 'string' ? Number(value) : undefined);

/** A text option's value; switches and absent options read as undefined. */
export const textOf = (value: string | true | undefined) => (typeof value === 'string' ? value : undefined);

const DURATION = /^(\d{1,9})([smhd]?)$/;
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration such as 90s, 30m, 24h or 7d (a bare number is seconds), at most `maxSeconds`. */
export function duration(maxSeconds: number): (value: string) => string | undefined {
  return (value) => {
    const seconds = secondsOf(value);
    return seconds !== undefined && seconds <= maxSeconds ? undefined : `must be a duration such as 0, 90s, 30m, 24h or 7d, at most ${maxSeconds / 86_400}d`;
  };
}

/** A duration's seconds, once checked; undefined when it is not one. */
export function secondsOf(value: string): number | undefined {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * (SECONDS_PER_UNIT[match[2] as string] as number) : undefined;
}

/** A day (YYYY-MM-DD, its midnight UTC) or an ISO 8601 time with its offset. */
export function instant(value: string): string | undefined {
  const day = calendarDay(value) === undefined;
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
  return day || time ? undefined : 'must be a day as YYYY-MM-DD or a time as 2026-01-31T09:00:00Z';
}
