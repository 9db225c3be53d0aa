// Page texts in ru / kk / en: one JSON catalog per language, plural forms picked by Intl plural rules.
import type { Language } from '../src/config';
import { LANGUAGES } from '../src/config';
import { plural } from '../src/i18n/format';
import ru from './i18n/ru.json';
import kk from './i18n/kk.json';
import en from './i18n/en.json';
// Information work (publications, rubrics, best posts) keeps its texts in catalogs of its own.
import pubRu from './i18n/publications.ru.json';
import pubKk from './i18n/publications.kk.json';
import pubEn from './i18n/publications.en.json';

/** A text, or plural forms keyed by Intl plural category; `{name}` is replaced by a variable. */
export type Entry = string | ({ other: string } & Partial<Record<Intl.LDMLPluralRule, string>>);
export type Catalog = Record<string, Entry>;

export const CATALOGS: Record<Language, Catalog> = { ru: { ...ru, ...pubRu }, kk: { ...kk, ...pubKk }, en: { ...en, ...pubEn } } as Record<Language, Catalog>;

/** What a missing key renders as: loud, so the browser tests catch it on any page. */
export const MISSING = (key: string): string => `??${key}??`;

export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

function fill(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** `t(key, vars)`; a plural entry uses `vars.count` to choose its form. */
export function translator(lang: Language): Translate {
  const catalog = CATALOGS[lang];
  return (key, vars) => {
    const entry = catalog[key];
    if (entry === undefined) return MISSING(key);
    if (typeof entry === 'string') return fill(entry, vars);
    const count = Number(vars?.count ?? 0);
    return fill(plural(count, lang, entry), vars);
  };
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
