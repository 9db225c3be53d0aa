// Number, percent and date formatting for ru / kk / en (UX.md conventions), shared by pages and the bot.
import type { Language } from '../config';

const LOCALES: Record<Language, string> = { ru: 'ru-RU', kk: 'kk-KZ', en: 'en-GB' };
const MINUS = '\u2212';

const cache = new Map<string, Intl.NumberFormat>();
function nf(lang: Language, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = lang + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang], opts);
    cache.set(key, f);
  }
  return f;
}

const fixed = new Map<string, Intl.NumberFormat>();

/** `48 213` (ru, kk) / `48,213` (en); a dash for an undefined value. */
export function formatNumber(value: number | null | undefined, lang: Language, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  // (a page formats thousands of numbers: look the formatter up without building nf's key)
  const key = `${lang}:${digits}`;
  let f = fixed.get(key);
  if (!f) fixed.set(key, (f = nf(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits })));
  return f.format(value).replace('-', MINUS);
}

/** A signed delta with a real minus: `+1 204`, `−35`, `0`. */
export function formatDelta(value: number | null | undefined, lang: Language, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = formatNumber(Math.abs(value), lang, digits);
  const rounded = Number(Math.abs(value).toFixed(digits));
  if (rounded === 0) return abs;
  return (value > 0 ? '+' : MINUS) + abs;
}

/** A percentage with one decimal: `+2,6 %` (ru, kk), `+2.6%` (en); `signed` adds the + sign. */
export function formatPercent(value: number | null | undefined, lang: Language, signed = false, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const num = signed ? formatDelta(value, lang, digits) : formatNumber(value, lang, digits);
  return lang === 'en' ? `${num}%` : `${num}\u00a0%`;
}

const dateFormats = new Map<Language, Intl.DateTimeFormat>();
/** `23.11.2026` (ru, kk) / `23 Nov 2026` (en), for a local date string YYYY-MM-DD. */
export function formatDate(date: string | null | undefined, lang: Language): string {
  if (!date) return '—';
  const [y, m, d] = date.split('-');
  if (lang !== 'en') return `${d}.${m}.${y}`;
  let f = dateFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(lang, f);
  }
  return f.format(new Date(`${date}T00:00:00Z`));
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
/** An instant as a local date and time in the configured zone: `23.11.2026 06:00` / `23 Nov 2026, 06:00`. */
export function formatDateTime(ms: number | null | undefined, lang: Language, timeZone: string): string {
  if (ms === null || ms === undefined) return '—';
  let f = dateTimeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    dateTimeFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  return `${formatDate(date, lang)}${lang === 'en' ? ',' : ''} ${get('hour')}:${get('minute')}`;
}

/** ISO week label: `47-я неделя 2026` (ru), `2026, 47-апта` (kk), `W47 2026` (en). */
export function formatWeek(isoYear: number, week: number, lang: Language): string {
  if (lang === 'ru') return `${week}-я неделя ${isoYear}`;
  if (lang === 'kk') return `${isoYear}, ${week}-апта`;
  return `W${week} ${isoYear}`;
}

const pluralRules = new Map<Language, Intl.PluralRules>();
/** Picks the plural form for a count: forms keyed by Intl plural category (one, few, many, other). */
export function plural(count: number, lang: Language, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string {
  let pr = pluralRules.get(lang);
  if (!pr) {
    pr = new Intl.PluralRules(LOCALES[lang]);
    pluralRules.set(lang, pr);
  }
  return forms[pr.select(count)] ?? forms.other;
}
