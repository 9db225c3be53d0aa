// Form fields of the administration pages: each one checked before anything is read or written, so a bad
// value (markup, SQL or path fragments in an identifier, control or bidi characters, overlong text) is an
// InputError naming the field — a 400 — and changes nothing.
import { InputError, LEVELS, PLATFORMS, PLATFORM_GROUPS, type Level, type Platform, type PlatformGroup } from '../config';
import { isIsoDate } from '../domain/dates';

export type Form = Record<string, unknown>;

export const MAX_TEXT = 200;
export const MAX_DECISION = 500;

const bad = (field: string, message: string) => new InputError(message, undefined, undefined, field);

/** One field as a single string ('' when absent); repeated or nested values are refused. */
export function raw(form: Form, field: string, max = MAX_TEXT): string {
  const v = form[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(field, 'must be given once, as plain text');
  if (v.length > max) throw bad(field, `is too long (at most ${max} characters)`);
  return v;
}

// Control, format (zero-width, bidi overrides, BOM), private-use, unassigned and lone surrogate code points,
// and U+FFFD, which is what a broken character becomes on the way in.
const ODD = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u;

/**
 * Free text shown to people (names, titles, decisions): trimmed, NFC, no markup brackets, no invisible or
 * direction-changing characters. Quotes, apostrophes and the like are ordinary text (SQL is parameterised
 * and every page escapes what it prints).
 */
export function text(form: Form, field: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const max = opts.max ?? MAX_TEXT;
  const untrimmed = raw(form, field, max * 2);
  // Checked before trimming: trim() would quietly drop a byte-order mark or other odd spacing at the ends.
  if (ODD.test(untrimmed)) throw bad(field, 'contains invisible or control characters');
  const v = untrimmed.normalize('NFC').trim();
  if (!v) {
    if (opts.required) throw bad(field, 'is required');
    return undefined;
  }
  if (v.length > max) throw bad(field, `is too long (at most ${max} characters)`);
  if (/[<>]/.test(v)) throw bad(field, 'must not contain < or >');
  return v;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function slug(form: Form, field: string, required = true): string | undefined {
  const v = raw(form, field, 100);
  if (!v) {
    if (required) throw bad(field, 'is required');
    return undefined;
  }
  if (!SLUG.test(v)) throw bad(field, 'must be a slug: lowercase letters a-z, digits and - (up to 63)');
  return v;
}

export function oneOf<T extends string>(form: Form, field: string, values: readonly T[], fallback?: T): T {
  const v = raw(form, field, 50);
  if (!v && fallback !== undefined) return fallback;
  if (!(values as readonly string[]).includes(v)) throw bad(field, `must be one of ${values.join(', ')}`);
  return v as T;
}

export const level = (form: Form, field = 'level'): Level => oneOf(form, field, LEVELS);
export const platform = (form: Form, field = 'platform'): Platform => oneOf(form, field, PLATFORMS);
export const platformGroup = (form: Form, field = 'platform'): PlatformGroup => oneOf(form, field, PLATFORM_GROUPS);

export function date(form: Form, field: string, required = true): string | undefined {
  const v = raw(form, field, 20);
  if (!v) {
    if (required) throw bad(field, 'is required (YYYY-MM-DD)');
    return undefined;
  }
  if (!isIsoDate(v)) throw bad(field, 'must be a real date as YYYY-MM-DD');
  return v;
}

/** A whole number in [min, max]; '' is undefined unless required. */
export function int(form: Form, field: string, opts: { min?: number; max?: number; required?: boolean } = {}): number | undefined {
  const v = raw(form, field, 20).trim();
  if (!v) {
    if (opts.required) throw bad(field, 'is required');
    return undefined;
  }
  if (!/^-?\d{1,15}$/.test(v)) throw bad(field, 'must be a whole number');
  const n = Number(v);
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (n < min || n > max) throw bad(field, `must be from ${min} to ${max}`);
  return n;
}

/** A decimal number such as 12.5 or 12,5 (a comma is the decimal mark in ru/kk). */
export function decimal(form: Form, field: string, opts: { min?: number; max?: number } = {}): number {
  const v = raw(form, field, 20).trim().replace(',', '.');
  if (!v) throw bad(field, 'is required');
  if (!/^-?\d{1,9}(\.\d{1,4})?$/.test(v)) throw bad(field, 'must be a number such as 12.5');
  const n = Number(v);
  if (opts.min !== undefined && n <= opts.min) throw bad(field, `must be more than ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw bad(field, `must be at most ${opts.max}`);
  return n;
}

/** A positive row id from a path or form. */
export function id(value: unknown, field = 'id'): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) throw bad(field, 'must be a positive whole number');
  return Number(value);
}

/** A checkbox / flag: '1' or absent. */
export function flag(form: Form, field: string): boolean {
  const v = raw(form, field, 5);
  if (v === '' || v === '0') return false;
  if (v === '1' || v === 'on') return true;
  throw bad(field, 'must be 1 or empty');
}
