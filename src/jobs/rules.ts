import { Type, type TSchema } from '@sinclair/typebox';
import type { FieldErrors } from '../errors.ts';
import { isUploadedFile } from '../http/multipart.ts';
import { IMAGE_TYPES, sniffImageType, type ImageFile } from '../media/images.ts';
import { MAX_ID_OR_HANDLE_LENGTH } from '../http/primitives.ts';

/*
 * A field rule turns one raw form or JSON value into a typed value or a
 * message. Messages follow the contract's style; `attribute` is the field
 * name the client sent, with spaces for underscores.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface FieldRule<T> {
  /** Names accepted for this field besides its own, in the contract's order. */
  readonly aliases: readonly string[];
  /** The field as documented in OpenAPI. */
  readonly schema: TSchema;
  parse(raw: unknown, attribute: string): Parsed<T>;
}

export const attributeName = (key: string) => key.replace(/_/g, ' ');

export function addError(errors: FieldErrors, key: string, message: string): void {
  (errors[key] ??= []).push(message);
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

interface RuleOptions {
  aliases?: readonly string[];
  description?: string;
}

function rule<T>(options: RuleOptions, schema: TSchema, parse: FieldRule<T>['parse']): FieldRule<T> {
  return {
    aliases: options.aliases ?? [],
    schema: options.description ? { ...schema, description: options.description } : schema,
    parse,
  };
}

/** Forms send everything as text; JSON may send numbers or booleans. */
function scalarText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'boolean') return raw ? '1' : '0';
  return undefined;
}

export interface TextRule extends FieldRule<string> {
  /** The value cut to the most characters the field takes, trimmed: for values the server fills in itself. */
  fit(value: string): string;
}

/* Characters are code points, as a person counts them: an emoji is one, not two UTF-16 units. */
export function text(max: number, options: RuleOptions = {}): TextRule {
  const parse: FieldRule<string>['parse'] = (raw, attribute) => {
    const value = scalarText(raw);
    if (value === undefined) return fail(`The ${attribute} must be a string.`);
    if ([...value].length > max) return fail(`The ${attribute} may not be greater than ${max} characters.`);
    return ok(value);
  };
  return {
    ...rule(options, Type.String({ maxLength: max }), parse),
    // No string of at most max UTF-16 units has more code points, so most values are not spread.
    fit: (value) => (value.length <= max ? value : [...value.trim()].slice(0, max).join('')).trim(),
  };
}

/** An absolute http or https URL with a host: what a link on a board may point to. */
export function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Something an e-mail can be sent to: one @, no spaces, a dot in the domain. */
export const isEmailAddress = (value: string) => EMAIL_ADDRESS.test(value);

/** An e-mail address of at most `max` characters, kept as sent (trimmed). */
export function email(max: number, options: RuleOptions = {}): FieldRule<string> {
  const asText = text(max);
  return rule(options, Type.String({ maxLength: max, format: 'email' }), (raw, attribute) => {
    const parsed = asText.parse(raw, attribute);
    return parsed.ok && !isEmailAddress(parsed.value) ? fail(`The ${attribute} must be a valid email address.`) : parsed;
  });
}

/** An http(s) URL, kept as sent (trimmed): we only link to it. */
export function url(max: number, options: RuleOptions = {}): FieldRule<string> {
  const asText = text(max);
  return rule(options, Type.String({ maxLength: max, format: 'uri' }), (raw, attribute) => {
    const parsed = asText.parse(raw, attribute);
    return parsed.ok && !isHttpUrl(parsed.value) ? fail(`The ${attribute} format is invalid.`) : parsed;
  });
}

/** An uploaded image of one of IMAGE_TYPES, recognised by its bytes, of at most this many kilobytes (1,024 bytes each). */
export function image(maxKilobytes: number, options: RuleOptions = {}): FieldRule<ImageFile> {
  const types = IMAGE_TYPES.map((type) => type.name).join(', ');
  return rule(options, Type.String({ format: 'binary' }), (raw, attribute) => {
    if (!isUploadedFile(raw)) return fail(`The ${attribute} must be a file.`);
    const type = sniffImageType(raw.data);
    if (!type) return fail(`The ${attribute} must be a file of type: ${types}.`);
    if (raw.data.length > maxKilobytes * 1024) return fail(`The ${attribute} may not be greater than ${maxKilobytes} kilobytes.`);
    return ok({ data: raw.data, type });
  });
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DMY = /^(\d{2})-(\d{2})-(\d{4})$/;

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/* Whether the day exists in the proleptic Gregorian calendar, as luxon decides it, without building a DateTime. */
function isCalendarDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** A calendar date as YYYY-MM-DD (R1 create, R2) or DD-MM-YYYY (R1 update). */
export function date(options: RuleOptions = {}): FieldRule<string> {
  const schema = Type.String({ pattern: '^(\\d{4}-\\d{2}-\\d{2}|\\d{2}-\\d{2}-\\d{4})$', examples: ['2017-12-01'] });
  return rule(options, schema, (raw, attribute) => {
    const value = scalarText(raw) ?? '';
    const ymd = YMD.exec(value);
    const dmy = DMY.exec(value);
    const [year, month, day] = ymd ? [ymd[1]!, ymd[2]!, ymd[3]!] : dmy ? [dmy[3]!, dmy[2]!, dmy[1]!] : [];
    if (!year || !isCalendarDay(+year, +month!, +day!)) return fail(`The ${attribute} does not match the format Y-m-d.`);
    return ok(`${year}-${month}-${day}`);
  });
}

export function number(min: number, max: number, options: RuleOptions = {}): FieldRule<number> {
  return rule(options, Type.Number({ minimum: min, maximum: max }), (raw, attribute) => {
    const value = typeof raw === 'number' ? raw : Number(scalarText(raw) || Number.NaN);
    if (!Number.isFinite(value)) return fail(`The ${attribute} must be a number.`);
    if (value < min || value > max) {
      return fail(min === 0 && value < 0 ? `The ${attribute} must be at least 0.` : `The ${attribute} must be between ${min} and ${max}.`);
    }
    return ok(value);
  });
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

export function boolean(options: RuleOptions = {}): FieldRule<boolean> {
  return rule(options, Type.Boolean(), (raw, attribute) => {
    const value = scalarText(raw)?.toLowerCase() ?? '';
    if (TRUE.has(value)) return ok(true);
    if (FALSE.has(value)) return ok(false);
    return fail(`The ${attribute} field must be true or false.`);
  });
}

/** A reference to a look-up row by id or handle; resolved against the catalogue later. */
export function reference(options: RuleOptions = {}): FieldRule<string> {
  const schema = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ maxLength: MAX_ID_OR_HANDLE_LENGTH })]);
  return rule(options, schema, (raw, attribute) => {
    const value = scalarText(raw);
    if (value === undefined || [...value].length > MAX_ID_OR_HANDLE_LENGTH) return fail(`The selected ${attribute} is invalid.`);
    return ok(value);
  });
}

const MAX_LIST = 100;

export function idList(options: RuleOptions = {}): FieldRule<number[]> {
  const schema = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: MAX_LIST });
  return rule(options, schema, (raw, attribute) => {
    const items = Array.isArray(raw) ? raw : [raw];
    if (items.length > MAX_LIST) return fail(`The ${attribute} may not have more than ${MAX_LIST} items.`);
    const ids = items.map((item) => scalarText(item) ?? '');
    if (ids.some((id) => !/^\d{1,9}$/.test(id) || Number(id) < 1)) return fail(`The selected ${attribute} is invalid.`);
    return ok([...new Set(ids.map(Number))]);
  });
}
