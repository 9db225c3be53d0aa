// Configuration: defaults → YAML file → environment, each value validated as it loads.
// Errors name the file, line and field: `audience-growth.yaml:14: organisations[0].accounts[2].platform: …`.
import fs from 'node:fs';
import path from 'node:path';
import YAML, { LineCounter, isNode } from 'yaml';
import { z } from 'zod';
import cron from 'node-cron';
import { isIsoDate, isValidTimeZone } from './domain/dates';
import { registerSecret } from './log';

import { DEFAULT_RUBRICS } from './domain/default-rubrics';
import { standardProblems } from './domain/publications';
import { countProblem } from './domain/ranges';
import type { RubricDefinition } from './domain/rubrics';
import { PLATFORMS, PLATFORM_GROUPS, SOCIAL_PLATFORMS, type Platform, type PlatformGroup } from './domain/growth';

export { PLATFORMS, PLATFORM_GROUPS, SOCIAL_PLATFORMS, type Platform, type PlatformGroup };
export const LEVELS = ['council', 'region', 'branch', 'primary'] as const;
export type Level = (typeof LEVELS)[number];
export const LANGUAGES = ['ru', 'kk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Bad input: a file, line and field at fault. The CLI exits 2 on it. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super([file && line ? `${file}:${line}` : file, field, message].filter(Boolean).join(': '));
    this.name = 'InputError';
  }
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const dateString = z.string().refine(isIsoDate, 'must be a real date as YYYY-MM-DD');
/** Ids may be written unquoted in YAML; big integers are read exactly (as bigint) and kept as text. */
const idString = z
  .union([z.string(), z.bigint(), z.number().int()])
  .transform((v) => String(v).trim())
  .refine((v) => v.length > 0, 'must not be empty');
/** A membership figure or a target: the range of src/domain/ranges.ts. */
const count = z
  .union([z.number(), z.bigint()])
  .transform((v) => Number(v))
  .superRefine((v, ctx) => {
    const problem = countProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message });
  });

export const accountSchema = z
  .object({
    platform: z.enum(PLATFORMS, { errorMap: () => ({ message: `must be one of ${PLATFORMS.join(', ')}` }) }),
    id: idString.optional(),
    page: idString.optional(),
    title: z.string().optional(),
    token_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)')
      .optional(),
    closed: dateString.nullable().optional(),
    /** Instagram only: `instagram_login` reads the account through graph.instagram.com with its own token. */
    api: z.enum(['instagram_login'], { errorMap: () => ({ message: 'must be instagram_login (or left out)' }) }).optional(),
    /** With `api: instagram_login`: a file (mode 0600) holding the token, which the service refreshes. */
    token_file: z.string().min(1, 'must be a file path').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.api && a.platform !== 'instagram') ctx.addIssue({ code: 'custom', path: ['api'], message: 'is only for instagram accounts' });
    if (a.token_file && a.api !== 'instagram_login') ctx.addIssue({ code: 'custom', path: ['token_file'], message: 'is only for accounts with api: instagram_login' });
    if (a.api === 'instagram_login') {
      if (!a.id) ctx.addIssue({ code: 'custom', path: ['id'], message: 'is required with api: instagram_login (the Instagram user id)' });
      if (a.page) ctx.addIssue({ code: 'custom', path: ['page'], message: 'must be left out with api: instagram_login (the account has no Facebook Page)' });
      if (!a.token_env && !a.token_file) ctx.addIssue({ code: 'custom', path: ['token_env'], message: 'is required with api: instagram_login (its own Instagram token), unless token_file is given' });
    }
    if (!a.id && !(a.platform === 'instagram' && a.page)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'is required (an Instagram account may give `page` instead)' });
    }
    if (a.page && a.platform !== 'instagram') ctx.addIssue({ code: 'custom', path: ['page'], message: 'is only for instagram accounts' });
    if (!a.id) return;
    if ((a.platform === 'facebook' || a.platform === 'instagram') && !/^\d{1,20}$/.test(a.id)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `must be a numeric Graph id, got ${JSON.stringify(a.id)}` });
    }
    if (a.platform === 'telegram' && !/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,})$/.test(a.id)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `must be a channel @username or a -100… chat id, got ${JSON.stringify(a.id)}` });
    }
    if (a.platform === 'newspaper' && !SLUG.test(a.id)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'must be a short code of a-z, 0-9 and -' });
    }
  });
export type AccountInput = z.infer<typeof accountSchema>;

const nameSchema = z
  .object({ ru: z.string().trim().min(1, 'must not be empty'), kk: z.string().optional(), en: z.string().optional() })
  .strict();

export interface OrgInput {
  slug: string;
  parent?: string;
  level: Level;
  name: { ru: string; kk?: string; en?: string };
  members?: number | null;
  telegram_chat?: string;
  accounts?: AccountInput[];
  children?: OrgInput[];
}

export const orgSchema: z.ZodType<OrgInput, z.ZodTypeDef, unknown> = z.lazy(() =>
  z
    .object({
      slug: z.string().regex(SLUG, 'must be lowercase letters, digits and - (e.g. pavlodar-city)'),
      parent: z.string().regex(SLUG, 'must be the slug of an existing organisation').optional(),
      level: z.enum(LEVELS, { errorMap: () => ({ message: `must be one of ${LEVELS.join(', ')}` }) }),
      name: nameSchema,
      members: count.nullable().optional(),
      telegram_chat: idString.optional(),
      accounts: z.array(accountSchema).optional(),
      children: z.array(orgSchema).optional(),
    })
    .strict(),
);

export const targetSchema = z
  .object({
    org: z.string().regex(SLUG, 'must be an organisation slug'),
    platform: z.enum(PLATFORM_GROUPS, { errorMap: () => ({ message: `must be one of ${PLATFORM_GROUPS.join(', ')}` }) }),
    baseline_date: dateString,
    target: count.optional(),
    // YAML reads whole numbers as bigint here; a percentage may be either
    target_percent: z.union([z.number(), z.bigint()]).transform((v) => Number(v)).pipe(z.number().finite().gt(-100, 'must be more than -100')).optional(),
    due_date: dateString,
    decision: z.string().optional(),
    // a target at or below its baseline (keep the audience) must say so
    hold: z.boolean().optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.target === undefined) === (t.target_percent === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'give exactly one of target or target_percent' });
    }
    if (t.due_date <= t.baseline_date) ctx.addIssue({ code: 'custom', path: ['due_date'], message: 'must be after baseline_date' });
  });
export type TargetInput = z.infer<typeof targetSchema>;

// Rubrics and standards of information work (DESIGN §11).
export const rubricSchema = z
  .object({
    slug: z.string().regex(SLUG, 'must be lowercase letters, digits and - (e.g. legal-protection)'),
    name: nameSchema,
    keywords: z.array(z.string().trim().min(1, 'must not be empty')).default([]),
    hashtags: z.array(z.string().trim().regex(/^#?[\p{L}\p{N}_]+$/u, 'must be # and letters, digits or _ (no spaces)')).default([]),
  })
  .strict()
  .refine((r) => r.keywords.length + r.hashtags.length > 0, { message: 'give at least one keyword or hashtag', path: ['keywords'] });

export const POST_PLATFORM_GROUPS = ['facebook', 'instagram', 'telegram', 'social'] as const;
const yamlNumberValue = z.union([z.number(), z.bigint()]).transform((v) => Number(v));
// The ranges and the "at least one criterion" rule are src/domain/publications.ts (standardProblems), checked
// with the rubrics known below and again by the one writer of standards (src/publications/standards-store.ts).
export const standardSchema = z
  .object({
    level: z.enum(LEVELS, { errorMap: () => ({ message: `must be one of ${LEVELS.join(', ')}` }) }),
    platform: z.enum(POST_PLATFORM_GROUPS, { errorMap: () => ({ message: `must be one of ${POST_PLATFORM_GROUPS.join(', ')}` }) }).default('social'),
    posts_per_week: yamlNumberValue.optional(),
    active_share: yamlNumberValue.optional(),
    rubric_share: z.record(z.string().regex(SLUG, 'must be a rubric slug'), yamlNumberValue).optional(),
    decision: z.string().optional(),
    /** the local date the standard applies from (default: always) */
    valid_from: dateString.optional(),
  })
  .strict();
export type StandardInput = z.infer<typeof standardSchema>;

const cronString = z.string().refine((s) => cron.validate(s), 'must be a cron expression such as "0 6 * * *"');

const yamlNumber = z.union([z.number(), z.bigint()]).transform((v) => Number(v));

export const fileSchema = z
  .object({
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Almaty').optional(),
    language: z.enum(LANGUAGES, { errorMap: () => ({ message: 'must be one of ru, kk, en' }) }).optional(),
    telegram: z
      .object({
        summary_chat: idString.optional(),
        admin_chat: idString.optional(),
        language: z.enum(LANGUAGES).optional(),
        webhook: z.object({ domain: z.string(), port: yamlNumber.pipe(z.number().int().min(1).max(65535)).optional(), path: z.string().optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    schedules: z
      .object({ collect: cronString.optional(), weekly_summary: cronString.optional() })
      .strict()
      .optional(),
    collect: z
      .object({
        // YAML integers arrive as bigint (intAsBigInt): read them as numbers before the range checks.
        concurrency: yamlNumber.pipe(z.number().int().min(1).max(64)).optional(),
        telegram_rate: yamlNumber.pipe(z.number().positive().max(1000)).optional(),
        graph_batch_size: yamlNumber.pipe(z.number().int().min(1).max(50)).optional(),
        timeout_ms: yamlNumber.pipe(z.number().int().min(100)).optional(),
        max_retries: yamlNumber.pipe(z.number().int().min(0).max(10)).optional(),
      })
      .strict()
      .optional(),
    // Publications (DESIGN §11): how far back a new channel's posts are read, how long counters are refreshed,
    // and the public Telegram preview's polite request rate.
    posts: z
      .object({
        history_days: yamlNumber.pipe(z.number().int().min(1).max(3650)).optional(),
        refresh_days: yamlNumber.pipe(z.number().int().min(0).max(365)).optional(),
        preview_rate: yamlNumber.pipe(z.number().positive().max(50)).optional(),
      })
      .strict()
      .optional(),
    organisations: z.array(orgSchema).optional(),
    targets: z.array(targetSchema).optional(),
    rubrics: z.array(rubricSchema).optional(),
    standards: z.array(standardSchema).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const slugs = new Set<string>();
    f.rubrics?.forEach((r, i) => {
      if (slugs.has(r.slug)) ctx.addIssue({ code: 'custom', path: ['rubrics', i, 'slug'], message: `${r.slug} is given twice` });
      slugs.add(r.slug);
    });
    const known = f.rubrics ? slugs : new Set(DEFAULT_RUBRICS.map((r) => r.slug));
    const seen = new Set<string>();
    f.standards?.forEach((s, i) => {
      const key = `${s.level}/${s.platform}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['standards', i, 'level'], message: `a standard for ${s.level} on ${s.platform} is given twice` });
      seen.add(key);
      for (const p of standardProblems(s, [...known])) ctx.addIssue({ code: 'custom', path: ['standards', i, ...p.path], message: p.message });
    });
  });
export type ConfigFile = z.infer<typeof fileSchema>;

export interface AppConfig {
  file?: string;
  timezone: string;
  language: Language;
  telegram: { summaryChat?: string; adminChat?: string; language?: Language; webhook?: { domain: string; port?: number; path?: string } };
  schedules: { collect: string; weeklySummary: string };
  collect: { concurrency: number; telegramRate: number; graphBatchSize: number; timeoutMs: number; maxRetries: number };
  posts: { historyDays: number; refreshDays: number; previewRate: number };
  organisations: OrgInput[];
  targets: TargetInput[];
  /** The configured rubrics, or the shipped defaults when the config has none. */
  rubrics: RubricDefinition[];
  standards: StandardInput[];
  env: {
    databasePath: string;
    /** DATABASE_BUSY_TIMEOUT_MS: how long a write waits for another connection's lock (default 10 s). */
    databaseBusyTimeoutMs?: number;
    port: number;
    /** RESPONSE_CACHE_MB: the response cache's bound in bytes (0: no cache). */
    responseCacheBytes: number;
    facebookToken?: string;
    /** FACEBOOK_APP_SECRET: when set, every Graph call carries appsecret_proof. A secret: redacted everywhere. */
    facebookAppSecret?: string;
    facebookGraphUrl: string;
    /** INSTAGRAM_GRAPH_URL: the Instagram API with Instagram Login (accounts with `api: instagram_login`). */
    instagramGraphUrl: string;
    telegramBotToken?: string;
    telegramApiRoot: string;
    telegramPreviewRoot: string;
  };
}

export interface YamlResult<T> {
  data: T;
  label: string;
  /** The line of the deepest node on this path that exists (1 when none does). */
  lineOf(p: readonly (string | number)[]): number;
}

/** Parses a YAML file and validates it; any error names the file, line and field. */
export function readYaml<T>(file: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): YamlResult<T> {
  const label = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, label);
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`invalid YAML: ${e.message.split('\n')[0]}`, label, lineCounter.linePos(e.pos[0]).line);
  }
  const lineOf = (p: readonly (string | number)[]): number => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { data: parsed.data, label, lineOf };
  const issue = parsed.error.issues[0];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  throw new InputError(message, label, lineOf(issue.path), fieldPath(issue.path) || undefined);
}

export function fieldPath(p: readonly (string | number)[]): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : String(k)), '');
}

export function parseConfigFile(file: string): YamlResult<ConfigFile> {
  return readYaml(file, fileSchema);
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise AUDIENCE_GROWTH_CONFIG, else ./audience-growth.yaml if present. */
  file?: string;
}

function envUrl(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name]?.trim();
  if (!v) return fallback;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new InputError(`must be an http(s) URL, got ${JSON.stringify(v)}`, 'environment', undefined, name);
  }
  return v.replace(/\/+$/, '');
}

export function loadConfig(opts: LoadOptions = {}): AppConfig {
  const env = opts.env ?? process.env;
  let file = opts.file ?? env.AUDIENCE_GROWTH_CONFIG;
  if (!file && fs.existsSync('audience-growth.yaml')) file = 'audience-growth.yaml';
  const f: ConfigFile = file ? parseConfigFile(file).data : {};
  const portText = env.PORT?.trim();
  const port = portText ? Number(portText) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InputError(`must be a port number 0-65535, got ${JSON.stringify(portText)}`, 'environment', undefined, 'PORT');
  }
  const cacheText = env.RESPONSE_CACHE_MB?.trim();
  const cacheMb = cacheText ? Number(cacheText) : 64;
  if (!Number.isFinite(cacheMb) || cacheMb < 0 || cacheMb > 65_536) {
    throw new InputError(`must be a number of megabytes 0-65536 (0: no response cache), got ${JSON.stringify(cacheText)}`, 'environment', undefined, 'RESPONSE_CACHE_MB');
  }
  const facebookToken = env.FACEBOOK_ACCESS_TOKEN?.trim() || undefined;
  const telegramBotToken = env.TELEGRAM_BOT_TOKEN?.trim() || undefined;
  const facebookAppSecret = env.FACEBOOK_APP_SECRET?.trim() || undefined;
  registerSecret(facebookToken);
  registerSecret(telegramBotToken);
  registerSecret(facebookAppSecret);
  return {
    file,
    timezone: f.timezone ?? 'Asia/Almaty',
    language: f.language ?? 'ru',
    telegram: {
      summaryChat: f.telegram?.summary_chat,
      adminChat: f.telegram?.admin_chat,
      language: f.telegram?.language,
      webhook: f.telegram?.webhook,
    },
    schedules: { collect: f.schedules?.collect ?? '0 6 * * *', weeklySummary: f.schedules?.weekly_summary ?? '0 9 * * 1' },
    collect: {
      concurrency: f.collect?.concurrency ?? 4,
      telegramRate: f.collect?.telegram_rate ?? 20,
      graphBatchSize: f.collect?.graph_batch_size ?? 50,
      timeoutMs: f.collect?.timeout_ms ?? 15_000,
      maxRetries: f.collect?.max_retries ?? 4,
    },
    posts: { historyDays: f.posts?.history_days ?? 90, refreshDays: f.posts?.refresh_days ?? 7, previewRate: f.posts?.preview_rate ?? 2 },
    organisations: f.organisations ?? [],
    targets: f.targets ?? [],
    rubrics: f.rubrics ?? DEFAULT_RUBRICS.map((r) => ({ ...r })),
    standards: f.standards ?? [],
    env: {
      databasePath: env.DATABASE_PATH?.trim() || './data/audience-growth.db',
      databaseBusyTimeoutMs: busyTimeout(env),
      port,
      responseCacheBytes: Math.round(cacheMb * 1024 * 1024),
      facebookToken,
      facebookAppSecret,
      facebookGraphUrl: envUrl(env, 'FACEBOOK_GRAPH_URL', 'https://graph.facebook.com'),
      instagramGraphUrl: envUrl(env, 'INSTAGRAM_GRAPH_URL', 'https://graph.instagram.com'),
      telegramBotToken,
      telegramApiRoot: envUrl(env, 'TELEGRAM_API_ROOT', 'https://api.telegram.org'),
      telegramPreviewRoot: envUrl(env, 'TELEGRAM_PREVIEW_ROOT', 'https://t.me'),
    },
  };
}

function busyTimeout(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.DATABASE_BUSY_TIMEOUT_MS?.trim();
  if (!text) return undefined;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 10) throw new InputError(`must be a whole number of milliseconds from 10 to 9999999, got ${JSON.stringify(text)}`, 'environment', undefined, 'DATABASE_BUSY_TIMEOUT_MS');
  return Number(text);
}

/** A token for an account: its own env variable when configured, else the platform default. */
export function tokenFor(env: NodeJS.ProcessEnv, platform: Platform, tokenEnv?: string | null): string | undefined {
  if (tokenEnv) {
    const v = env[tokenEnv]?.trim() || undefined;
    registerSecret(v);
    return v;
  }
  if (platform === 'telegram') return env.TELEGRAM_BOT_TOKEN?.trim() || undefined;
  if (platform === 'facebook' || platform === 'instagram') return env.FACEBOOK_ACCESS_TOKEN?.trim() || undefined;
  return undefined;
}
