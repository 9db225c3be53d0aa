// Rubric matching (DESIGN §11): which of the configured themes a post's text speaks about.
//
// Rules, as the contract states them:
// - text lower-cased, `ё` read as `е`;
// - a hashtag of a rubric matches the same whole hashtag in the post (`#охранатруда` ≠ `#охрана`);
// - a keyword of one or more words matches the same number of words in a row, each word of the post
//   *beginning with* the stem of the keyword's word in that place (so «правовой защите» matches
//   «правовая защита»); a keyword word whose stem is shorter than 4 letters matches only itself, exactly;
// - an editor's decision (add or remove a rubric of a post) overrides matching.
//
// Stems: Russian words through the Snowball Russian stemmer (@orama/stemmers); the words of a Kazakh keyword
// (one with any of ә ғ қ ң ө ұ ү һ і) through the suffix rules of `kazakhStem` below. Write keywords in their
// base form: a word matches every form that begins with its stem. Words are runs of letters and digits;
// the words inside hashtags count as words too (`#охрана_труда` reads as «охрана труда»).
import { stemmer as russianStemmer } from '@orama/stemmers/russian';

export interface RubricName {
  ru: string;
  kk?: string;
  en?: string;
}

/** A rubric as configured (`rubrics:` in the YAML) or shipped as a default. */
export interface RubricDefinition {
  slug: string;
  name: RubricName;
  keywords: readonly string[];
  hashtags: readonly string[];
}

/** Text as matching reads it: lower case, `ё` as `е`. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

const KAZAKH_LETTERS = /[әғқңөұүһі]/;
const WORD = /[\p{L}\p{N}]+/gu;
const HASHTAG = /#([\p{L}\p{N}_]+)/gu;
/** Stems shorter than this match only the keyword word itself. */
export const MIN_STEM = 4;

// Kazakh is agglutinative: stem + plural + possessive + case, in that order. `kazakhStem` strips at most one
// suffix of each layer from the end (case, then possessive, then plural), longest first, and only while at
// least 4 letters remain (білім stays білім, not біл); then a final к/қ/п is dropped, since it turns into г/ғ/б before a vowel
// (еңбек → еңбегі, мүшелік → мүшелігі, кітап → кітабы), so the stem still begins every form of the word.
// Derivational endings (-лық/-дық/-тық…, -шы, -у) are kept: «ұжымдық» and «қорғау» are words of their own.
const KAZAKH_CASE = [
  // genitive
  'ның', 'нің', 'дың', 'дің', 'тың', 'тің',
  // ablative
  'нан', 'нен', 'дан', 'ден', 'тан', 'тен',
  // locative
  'нда', 'нде', 'да', 'де', 'та', 'те',
  // dative
  'на', 'не', 'ға', 'ге', 'қа', 'ке',
  // accusative (and 3rd-person possessive + accusative: -ын/-ін/-сын/-сін)
  'сын', 'сін', 'ны', 'ні', 'ды', 'ді', 'ты', 'ті', 'ын', 'ін',
  // instrumental
  'мен', 'бен', 'пен',
];
// A bare -ы/-і (3rd person) is not stripped: too many base words end in it (жалақы, ақы, ...).
const KAZAKH_POSSESSIVE = ['ымыз', 'іміз', 'ыңыз', 'іңіз', 'мыз', 'міз', 'ңыз', 'ңіз', 'сы', 'сі', 'ым', 'ім', 'ың', 'ің'];
const KAZAKH_PLURAL = ['лар', 'лер', 'дар', 'дер', 'тар', 'тер'];
const byLength = (list: string[]): string[] => [...list].sort((a, b) => b.length - a.length);
const KAZAKH_LAYERS = [byLength(KAZAKH_CASE), byLength(KAZAKH_POSSESSIVE), byLength(KAZAKH_PLURAL)];
const KAZAKH_MIN_REST = 4;

/** The stem of a (lower-case) Kazakh word per the suffix rules above. */
export function kazakhStem(word: string): string {
  let w = word;
  for (const layer of KAZAKH_LAYERS) {
    for (const suffix of layer) {
      if (w.length - suffix.length >= KAZAKH_MIN_REST && w.endsWith(suffix)) {
        w = w.slice(0, -suffix.length);
        break;
      }
    }
  }
  if (w.length > MIN_STEM && /[кқп]$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Kazakh when any word has a Kazakh letter (then «іс шара» reads «шара» as Kazakh too). */
export function isKazakh(normalizedText: string): boolean {
  return KAZAKH_LETTERS.test(normalizedText);
}

/**
 * The stem of a normalised word: Kazakh rules for a word with Kazakh letters (or of a Kazakh phrase),
 * else Snowball Russian for Cyrillic, else the word itself.
 */
export function stemWord(word: string, kazakh = isKazakh(word)): string {
  if (kazakh) return kazakhStem(word);
  if (/[а-я]/.test(word)) return russianStemmer(word);
  return word;
}

// Whether a UTF-16 code unit is part of a word (a letter or digit), cached per code: ASCII and Cyrillic (the
// posts' scripts) are decided by range, anything else once by the regular expression. A surrogate pair (a
// letter outside the BMP) is read by the regular expression as a whole.
const WORD_CHAR = new Uint8Array(65536); // 0 unknown, 1 word, 2 not
for (let c = 0; c < 128; c++) WORD_CHAR[c] = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? 1 : 2;
const isWordUnit = (c: number): boolean => {
  let k = WORD_CHAR[c];
  if (k === 0) WORD_CHAR[c] = k = /[\p{L}\p{N}]/u.test(String.fromCharCode(c)) ? 1 : 2;
  return k === 1;
};

/** The words of a normalised text: runs of letters and digits (as /[\p{L}\p{N}]+/u finds them). */
export function wordsOf(normalizedText: string): string[] {
  const out: string[] = [];
  const n = normalizedText.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = normalizedText.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return normalizedText.match(WORD) ?? []; // rare: astral letters, read the slow way
    if (isWordUnit(c)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(normalizedText.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(normalizedText.slice(start));
  return out;
}

export function hashtagsOf(normalizedText: string): string[] {
  const out: string[] = [];
  for (const m of normalizedText.matchAll(HASHTAG)) out.push(m[1]);
  return out;
}

/** One keyword word: a post word matches when it begins with `stem`, or (short stems) equals `exact`. */
interface KeywordPart {
  stem: string;
  exact: boolean;
}

interface CompiledKeyword {
  rubric: number;
  parts: KeywordPart[];
}

/** Rubrics prepared for fast matching: keywords indexed by their first word. */
export interface RubricMatcher {
  readonly slugs: readonly string[];
  /** Rubric slugs of a text (sorted), before any editor decision. */
  match(text: string): string[];
}

function keywordPart(word: string, kazakh: boolean): KeywordPart {
  const stem = stemWord(word, kazakh);
  return stem.length < MIN_STEM ? { stem: word, exact: true } : { stem, exact: false };
}

function normalizeHashtag(tag: string): string {
  return normalizeText(tag.trim()).replace(/^#+/, '');
}

/** Prepares rubrics for matching; throws on a keyword or hashtag that has no word in it. */
export function compileRubrics(rubrics: readonly RubricDefinition[]): RubricMatcher {
  const slugs = rubrics.map((r) => r.slug);
  // Post words are looked up by their first MIN_STEM letters (prefix keys) or whole (exact keys).
  const byPrefix = new Map<string, CompiledKeyword[]>();
  const byExact = new Map<string, CompiledKeyword[]>();
  const tags = new Map<string, number[]>();
  rubrics.forEach((r, index) => {
    for (const keyword of r.keywords) {
      const norm = normalizeText(keyword);
      const words = wordsOf(norm);
      if (words.length === 0) throw new RangeError(`rubric ${r.slug}: keyword ${JSON.stringify(keyword)} has no word in it`);
      const kazakh = isKazakh(norm);
      const parts = words.map((w) => keywordPart(w, kazakh));
      const compiled = { rubric: index, parts };
      const first = parts[0];
      const map = first.exact ? byExact : byPrefix;
      const key = first.exact ? first.stem : first.stem.slice(0, MIN_STEM);
      const list = map.get(key);
      if (list) list.push(compiled);
      else map.set(key, [compiled]);
    }
    for (const tag of r.hashtags) {
      const t = normalizeHashtag(tag);
      if (!/^[\p{L}\p{N}_]+$/u.test(t)) throw new RangeError(`rubric ${r.slug}: hashtag ${JSON.stringify(tag)} must be # and letters, digits or _`);
      const list = tags.get(t);
      if (list) list.push(index);
      else tags.set(t, [index]);
    }
  });
  const partMatches = (p: KeywordPart, word: string): boolean => (p.exact ? word === p.stem : word.startsWith(p.stem));
  const keywordAt = (k: CompiledKeyword, words: string[], i: number): boolean => {
    if (i + k.parts.length > words.length) return false;
    for (let j = 0; j < k.parts.length; j++) if (!partMatches(k.parts[j], words[i + j])) return false;
    return true;
  };

  return {
    slugs,
    match(text: string): string[] {
      if (!text) return [];
      const norm = normalizeText(text);
      const hit = new Uint8Array(rubrics.length);
      let found = 0;
      if (tags.size && norm.includes('#')) {
        for (const t of hashtagsOf(norm)) {
          const list = tags.get(t);
          if (!list) continue;
          for (const ri of list) {
            if (hit[ri]) continue;
            hit[ri] = 1;
            found++;
          }
        }
      }
      const words = wordsOf(norm);
      for (let i = 0; i < words.length && found < rubrics.length; i++) {
        const w = words[i];
        const candidates = [byPrefix.get(w.slice(0, MIN_STEM)), byExact.get(w)];
        for (const list of candidates) {
          if (!list) continue;
          for (const k of list) {
            if (hit[k.rubric] || !keywordAt(k, words, i)) continue;
            hit[k.rubric] = 1;
            found++;
          }
        }
      }
      const out: string[] = [];
      for (let ri = 0; ri < rubrics.length; ri++) if (hit[ri]) out.push(slugs[ri]);
      return out.sort();
    },
  };
}

/** An editor's decision on one rubric of one post. */
export interface RubricOverride {
  rubric: string;
  action: 'add' | 'remove';
}

/** The rubrics a post has: matched ones, then the editor's decisions on top (sorted slugs). */
export function withOverrides(matched: readonly string[], overrides: readonly RubricOverride[]): string[] {
  const set = new Set(matched);
  for (const o of overrides) {
    if (o.action === 'add') set.add(o.rubric);
    else set.delete(o.rubric);
  }
  return [...set].sort();
}
