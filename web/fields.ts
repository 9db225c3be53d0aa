// Request fields as zod schemas: the one place that says what a form field or a query parameter may hold.
// The admin forms, the pages' query strings and the JSON API build their request schemas from these atoms,
// so a slug, a date or a page number is checked the same way everywhere.
//
// Every refusal carries an English message (the API's `{ error }` and the logs) and a key with values
// (`invalid.<key>` in web/i18n), so a page can say the same thing in its reader's language.
import { z } from 'zod';
import { LEVELS, PLATFORMS, PLATFORM_GROUPS } from '../src/config';
import { Refusal } from '../src/admin/errors';
import { isIsoDate } from '../src/domain/dates';

export const MAX_TEXT = 200;
export const MAX_DECISION = 500;

export type { Vars } from '../src/admin/errors';
import type { Vars } from '../src/admin/errors';

/** Why a value is refused: the English message and the i18n key (`invalid.<key>`) with its values. */
export interface Why {
  message: string;
  key: string;
  vars?: Vars;
}

/** A field's refusal; web routes turn it into a 400 naming the field (and the page shows it translated). */
export class FieldError extends Refusal {
  constructor(
    field: string,
    readonly why: Why,
  ) {
    super(field, why.message, why.key, why.vars);
    this.name = 'FieldError';
  }
}

class Refused {
  constructor(readonly why: Why) {}
}
/** Inside a field check: refuse the value. */
export const refuse = (message: string, key: string, vars?: Vars): never => {
  throw new Refused({ message, key, vars });
};

/** A zod schema from a check that returns the parsed value or calls `refuse`. */
export function field<T>(check: (value: unknown) => T): z.ZodType<T, z.ZodTypeDef, unknown> {
  return z.unknown().transform((value, ctx) => {
    try {
      return check(value);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.why.message, params: { key: err.why.key, vars: err.why.vars } });
      return z.NEVER;
    }
  });
}

/** The first issue of a failed parse as a FieldError (its path's first element names the field). */
export function firstIssue(error: z.ZodError, fallbackField = ''): FieldError {
  const issue = error.issues[0];
  const name = issue.path.length ? String(issue.path[0]) : fallbackField;
  const params = (issue as { params?: { key?: string; vars?: Vars } }).params;
  return new FieldError(name, { message: issue.message, key: params?.key ?? 'invalid', vars: params?.vars });
}

/** Parses a whole form or query object; the first bad field is a FieldError and nothing else runs. */
export function parseFields<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input && typeof input === 'object' ? input : {});
  if (!r.success) throw firstIssue(r.error);
  return r.data as z.output<S>;
}

// ------------------------------------------------------------------------------------------------
// Atoms

/** One value given once as plain text, '' when absent; repeated (array) or nested values are refused. */
function once(v: unknown, max: number): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') return refuse('must be given once, as plain text', 'once');
  if (v.length > max) return refuse(`is too long (at most ${max} characters)`, 'too_long', { max });
  return v;
}
export const raw = (max = MAX_TEXT) => field((v) => once(v, max));
/** One value given once as plain text (as `raw`), then checked or converted by `check`. */
export const rawThen = <T>(max: number, check: (text: string) => T) => field((v) => check(once(v, max)));

// Control, format (zero-width, bidi overrides, BOM), private-use, unassigned and lone surrogate code points,
// and U+FFFD, which is what a broken character becomes on the way in.
const ODD = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u;

/**
 * Free text shown to people (names, titles, decisions): trimmed, NFC, no markup brackets, no invisible or
 * direction-changing characters. Quotes, apostrophes and the like are ordinary text (SQL is parameterised
 * and every page escapes what it prints). Absent or blank is undefined unless required.
 */
export function text(opts: { required: true; max?: number }): z.ZodType<string, z.ZodTypeDef, unknown>;
export function text(opts?: { required?: false; max?: number }): z.ZodType<string | undefined, z.ZodTypeDef, unknown>;
export function text(opts: { required?: boolean; max?: number } = {}) {
  const max = opts.max ?? MAX_TEXT;
  return field((input) => {
    const untrimmed = once(input, max * 2);
    // Checked before trimming: trim() would quietly drop a byte-order mark or other odd spacing at the ends.
    if (ODD.test(untrimmed)) return refuse('contains invisible or control characters', 'odd_characters');
    const v = untrimmed.normalize('NFC').trim();
    if (!v) return opts.required ? refuse('is required', 'required') : undefined;
    if (v.length > max) return refuse(`is too long (at most ${max} characters)`, 'too_long', { max });
    if (/[<>]/.test(v)) return refuse('must not contain < or >', 'no_brackets');
    return v;
  });
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** An organisation slug in a form (up to 63 characters). */
export function slug(opts: { required: false }): z.ZodType<string | undefined, z.ZodTypeDef, unknown>;
export function slug(opts?: { required?: true }): z.ZodType<string, z.ZodTypeDef, unknown>;
export function slug(opts: { required?: boolean } = {}) {
  return field((input) => {
    const v = once(input, 100);
    if (!v) return opts.required === false ? undefined : refuse('is required', 'required');
    if (!SLUG.test(v)) return refuse('must be a slug: lowercase letters a-z, digits and - (up to 63)', 'slug');
    return v;
  });
}

/** One of a fixed list of words; absent is `fallback` when there is one. */
export function oneOf<T extends string>(values: readonly T[], fallback?: T) {
  return field((input): T => {
    const v = once(input, 50);
    if (!v && fallback !== undefined) return fallback;
    if (!(values as readonly string[]).includes(v)) return refuse(`must be one of ${values.join(', ')}`, 'one_of', { values: values.join(', ') });
    return v as T;
  });
}
export const level = () => oneOf(LEVELS);
export const platform = () => oneOf(PLATFORMS);
export const platformGroup = () => oneOf(PLATFORM_GROUPS);

/** A real calendar date as YYYY-MM-DD. */
export function date(opts: { required: false }): z.ZodType<string | undefined, z.ZodTypeDef, unknown>;
export function date(opts?: { required?: true }): z.ZodType<string, z.ZodTypeDef, unknown>;
export function date(opts: { required?: boolean } = {}) {
  return field((input) => {
    const v = once(input, 20);
    if (!v) return opts.required === false ? undefined : refuse('is required (YYYY-MM-DD)', 'date_required');
    if (!isIsoDate(v)) return refuse('must be a real date as YYYY-MM-DD', 'date');
    return v;
  });
}

/** A whole number in [min, max] (min 0 unless given); blank is undefined unless required. */
export function int(opts: { min?: number; max?: number; required: true }): z.ZodType<number, z.ZodTypeDef, unknown>;
export function int(opts?: { min?: number; max?: number; required?: false }): z.ZodType<number | undefined, z.ZodTypeDef, unknown>;
export function int(opts: { min?: number; max?: number; required?: boolean } = {}) {
  return field((input) => {
    const v = once(input, 20).trim();
    if (!v) return opts.required ? refuse('is required', 'required') : undefined;
    if (!/^-?\d{1,15}$/.test(v)) return refuse('must be a whole number', 'whole_number');
    const n = Number(v);
    const min = opts.min ?? 0;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (n < min || n > max) return refuse(`must be from ${min} to ${max}`, 'between', { min, max });
    return n;
  });
}

/** A decimal number such as 12.5 or 12,5 (a comma is the decimal mark in ru/kk), more than `min`, at most `max`. */
export function decimal(opts: { min?: number; max?: number } = {}) {
  return field((input) => {
    const v = once(input, 20).trim().replace(',', '.');
    if (!v) return refuse('is required', 'required');
    if (!/^-?\d{1,9}(\.\d{1,4})?$/.test(v)) return refuse('must be a number such as 12.5', 'decimal');
    const n = Number(v);
    if (opts.min !== undefined && n <= opts.min) return refuse(`must be more than ${opts.min}`, 'more_than', { min: opts.min });
    if (opts.max !== undefined && n > opts.max) return refuse(`must be at most ${opts.max}`, 'at_most', { max: opts.max });
    return n;
  });
}

/** A positive row id from a path or a form. */
export const id = () =>
  field((v) => {
    if (typeof v !== 'string' || !/^[1-9]\d{0,14}$/.test(v)) return refuse('must be a positive whole number', 'row_id');
    return Number(v);
  });

/** A checkbox: '1' or 'on' is true, absent, '' or '0' false. */
export const flag = () =>
  field((input) => {
    const v = once(input, 5);
    if (v === '' || v === '0') return false;
    if (v === '1' || v === 'on') return true;
    return refuse('must be 1 or empty', 'flag');
  });

/** Several of a fixed list of words (checkboxes or a multiple select): none, one, or an array of them. */
export const someOf = <T extends string>(values: readonly T[]) =>
  field((input): T[] => {
    const list = input === undefined || input === null || input === '' ? [] : Array.isArray(input) ? (input as unknown[]) : [input];
    if (list.length > values.length) return refuse(`must be one of ${values.join(', ')}`, 'one_of', { values: values.join(', ') });
    return [
      ...new Set(
        list.map((v) => {
          if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) return refuse(`must be one of ${values.join(', ')}`, 'one_of', { values: values.join(', ') });
          return v as T;
        }),
      ),
    ];
  });
