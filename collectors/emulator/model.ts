// Deterministic audiences for the emulator: a function of (seed, account id, day), so any id is
// readable without registration and the demo can ask for any day of history.

const DAY_MS = 86_400_000;
/** Day 0 of the model's growth line (2025-01-01). */
const DAY0 = Math.round(Date.UTC(2025, 0, 1) / DAY_MS);

/** 32-bit FNV-1a. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Small seeded PRNG (mulberry32) for random faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function utcDay(instant: Date | number): number {
  return Math.floor((typeof instant === 'number' ? instant : instant.getTime()) / DAY_MS);
}

export interface AudienceModel {
  /** Followers of `id` at the end of UTC day `day` (whole days since 1970-01-01). */
  audience(id: string, day: number): number;
}

/**
 * base in [300, 20 300), daily growth in [−2, 23], plus a wobble of ±3 that is a function of the day,
 * so consecutive days differ a little like real counts do. Never negative.
 */
export function audienceModel(seed: string | number): AudienceModel {
  const s = String(seed);
  return {
    audience(id: string, day: number): number {
      const h = hash32(`${s}|${id}`);
      const base = 300 + (h % 20_000);
      const rate = ((h >>> 16) % 26) - 2;
      const wobble = (hash32(`${s}|${id}|${day}`) % 7) - 3;
      return Math.max(0, Math.round(base + rate * (day - DAY0) + wobble));
    },
  };
}

/** A stable numeric chat id (-100…) for a Telegram `@username`. */
export function chatIdFor(name: string, seed: string | number): number {
  return -(1_000_000_000_000 + (hash32(`${seed}|chat|${name.toLowerCase()}`) % 1_000_000_000));
}

/** The IG user id linked to a Facebook Page. */
export function igIdForPage(pageId: string, seed: string | number): string {
  return `1784${String(hash32(`${seed}|ig|${pageId}`)).padStart(11, '0')}`;
}

export function isIgId(id: string): boolean {
  return /^1784\d{11,}$/.test(id);
}

/** The numeric id of the Facebook Page with this username (`GET /{username}` answers it). */
export function pageIdForName(name: string, seed: string | number): string {
  return `1000${String(hash32(`${seed}|page|${name.toLowerCase()}`)).padStart(11, '0')}`;
}

/** The IG user id of the Instagram professional account with this username (business discovery). */
export function igIdForName(name: string, seed: string | number): string {
  return `1784${String(hash32(`${seed}|igname|${name.toLowerCase()}`)).padStart(11, '0')}`;
}

/** Splits a Graph `fields` list at its top-level commas (`a,b.x(y){c,d}` → `a`, `b.x(y){c,d}`). */
export function splitFields(fields: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < fields.length; i++) {
    const c = fields[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(fields.slice(start, i));
      start = i + 1;
    }
  }
  out.push(fields.slice(start));
  return out.map((f) => f.trim()).filter(Boolean);
}
