// `doctor`: checks the config, the database, the tokens and each API (and each account) the way
// collect will use them, and explains every problem in plain words with its fix. Reads only: it
// never migrates the database or writes a snapshot. No token is ever printed.
import fs from 'node:fs';
import net from 'node:net';
import { Telegram } from 'telegraf';
import { knownMigrations, openDatabase, type Db } from '../db';
import { quickCheck } from '../db/integrity';
import type { AccountRow } from '../db/orgs';
import { InputError, loadConfig, type AppConfig, type OrgInput } from './config';
import { localDate, toEpochDay } from './domain/dates';
import { selectAccounts, settingsFromConfig } from './jobs/collect';
import { GraphClient, GraphTransport } from '../collectors/graph';
import { createDefaultRegistry } from '../collectors/registry';
import { telegramError } from '../collectors/telegram';
import { CollectorError, GRAPH_FIXES, redact, registerSecret } from '../collectors/http';
import { resolvePageTokens } from '../collectors/page-tokens';
import { expiryWarnings, loginTokenOf, WARN_WITHIN_DAYS } from './instagram-tokens';
import { COLLECTED_PLATFORMS, type AccountTarget, type CollectedPlatform, type CollectOutcome, type CollectSettings } from '../collectors/types';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  title: string;
  /** For a problem: what it means and how to fix it, in plain words. */
  advice?: string[];
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** Collector setting overrides (tests use short timeouts). */
  settings?: Partial<CollectSettings>;
  now?: Date;
}

const FB_SCOPES = ['pages_show_list', 'pages_read_engagement', 'read_insights'];
const NEW_FB_TOKEN = 'Create a new system-user token in Business Settings with pages_show_list, pages_read_engagement, read_insights, instagram_basic (and ads_read for Pages owned through Business Manager)';
const NEW_BOT_TOKEN = 'Get the bot\'s current token from @BotFather (/token)';
const STALE_COLLECT_MS = 36 * 3_600_000;
const MAX_ACCOUNT_LINES = 10;

const ok = (title: string): Check => ({ status: 'ok', title });
const warn = (title: string, ...advice: string[]): Check => ({ status: 'warn', title, advice: advice.length ? advice : undefined });
const fail = (title: string, ...advice: string[]): Check => ({ status: 'fail', title, advice });

export async function runDoctor(opts: DoctorOptions = {}): Promise<Check[]> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? new Date();
  const checks: Check[] = [];

  let config: AppConfig;
  try {
    config = loadConfig({ env });
    const where = config.file ? `${config.file} (time zone ${config.timezone}; it lists ${countConfig(config)})` : `no config file: defaults and the environment (time zone ${config.timezone})`;
    checks.push(ok(`config: ${where}`));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    checks.push(fail('config: cannot be loaded', explainInputError(e)));
    checks.push(warn('other checks skipped: they need the configuration', 'Fix the configuration and run `npx audience-growth doctor` again.'));
    return checks;
  }

  const db = checkDatabase(config, now, checks);
  let rows: AccountRow[] = [];
  if (db) {
    try {
      rows = selectAccounts(db, {}, toEpochDay(localDate(config.timezone, now)));
    } catch (e) {
      checks.push(fail('accounts: cannot be read from the database', redact((e as Error).message)));
    } finally {
      db.close();
    }
  }
  const configured = configAccountCount(config.organisations);
  if (db && rows.length === 0) {
    checks.push(
      configured > 0
        ? warn(`accounts: none in the database, ${configured} in the config file`, `Load them with \`npx audience-growth import ${config.file}\`.`)
        : warn('accounts: none to collect yet', 'List the organisations and their accounts in a YAML file (see the README) and load it with `npx audience-growth import <file.yaml>`.'),
    );
  }

  const viaGraph = rows.filter((r) => r.api !== 'instagram_login');
  const tokens = checkTokens(config, env, viaGraph, checks);
  checkInstagramLogin(rows, env, now, checks);
  const settings = settingsFromConfig(config, { maxRetries: 1, retryBaseMs: 200, retryMaxMs: 2_000, rateLimitPauseMs: 2_000, timeoutMs: Math.min(config.collect.timeoutMs, 10_000), ...opts.settings });
  const working = new Set<string>();
  await checkGraph(config, settings, tokens.graph, viaGraph, working, checks);
  await checkBot(config, settings, tokens.bot, working, checks);
  await checkAccounts(settings, rows, env, config, working, checks);
  return checks.map((c) => ({ ...c, title: redact(c.title), advice: c.advice?.map(redact) }));
}

/** The report: one line per check with ✓ / ✗ / !, the advice indented under it, and a last line. */
export function formatDoctorReport(checks: readonly Check[]): string {
  const mark: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${mark[c.status]} ${c.title}`);
    for (const a of c.advice ?? []) lines.push(`    ${a}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push('');
  if (failed) lines.push(`${plural(failed, 'problem')} (✗) to fix${warned ? `, ${plural(warned, 'warning')} (!)` : ''}.`);
  else if (warned) lines.push(`No problems; ${plural(warned, 'warning')} (!).`);
  else lines.push('All checks passed.');
  return redact(lines.join('\n')) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Config.

function configAccountCount(orgs: readonly OrgInput[]): number {
  return orgs.reduce((n, o) => n + (o.accounts?.length ?? 0) + configAccountCount(o.children ?? []), 0);
}

function countConfig(config: AppConfig): string {
  const orgs = (list: readonly OrgInput[]): number => list.reduce((n, o) => n + 1 + orgs(o.children ?? []), 0);
  const o = orgs(config.organisations);
  const a = configAccountCount(config.organisations);
  return `${o} organisation${o === 1 ? '' : 's'}, ${a} account${a === 1 ? '' : 's'}`;
}

function explainInputError(e: InputError): string {
  const what = e.message;
  if (e.file === 'environment') return `The environment variable ${e.field}: ${what.replace(/^environment: [A-Z_]+: /, '')}. Fix its value (in the shell, .env or the systemd unit) and run doctor again.`;
  if (/cannot read/.test(what)) return `${what}. Check that AUDIENCE_GROWTH_CONFIG names an existing, readable YAML file (or unset it to use ./audience-growth.yaml).`;
  return `The config file has a mistake: ${what}. Fix that line and run doctor again.`;
}

// ---------------------------------------------------------------------------------------------
// Database.

function checkDatabase(config: AppConfig, now: Date, checks: Check[]): Db | undefined {
  const file = config.env.databasePath;
  if (file !== ':memory:' && !fs.existsSync(file)) {
    checks.push(warn(`database: ${file} does not exist yet`, 'It is created on first use: load your organisations with `npx audience-growth import <file.yaml>`, then run `npx audience-growth collect`. If you expected data here, check DATABASE_PATH.'));
    return undefined;
  }
  let db: Db;
  try {
    // Read-only: doctor never migrates or writes.
    db = openDatabase(file, { readonly: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    checks.push(fail(`database: ${file} cannot be opened`, `${(e as Error).message}. The file is not an audience-growth database, is damaged, or is not readable by this user: check DATABASE_PATH and the file's owner, or restore the latest backup.`));
    return undefined;
  }
  checks.push(ok(`database: ${file} opens`));

  const known = knownMigrations().map((m) => m.id);
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  const applied = hasTable ? (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id) : [];
  if (applied.some((id, i) => known[i] !== id)) {
    checks.push(fail(`migrations: the database has [${applied.join(', ')}], this version knows [${known.join(', ')}]`, 'The database was made by another version of audience-growth. Use that version, or restore a backup made by this one.'));
    db.close();
    return undefined;
  }
  if (applied.length < known.length) {
    const pending = known.slice(applied.length);
    checks.push(warn(`migrations: ${applied.length} of ${known.length} applied; ${pending.join(', ')} pending`, 'They are applied the next time a command writes to the database (e.g. `collect` or `serve`). Take a `npx audience-growth backup <file>` first.'));
    if (!hasTable) {
      db.close();
      return undefined;
    }
  } else {
    checks.push(ok(`migrations: ${applied.length} of ${known.length} applied`));
  }

  const quick = quickCheck(db);
  if (quick.ok) checks.push(ok('integrity: quick_check ok'));
  else checks.push(fail('integrity: quick_check found damage', `SQLite reports: ${quick.detail}. Stop the service, keep a copy of the file, and restore the latest backup (\`backup\` makes them).`));

  const mode = String(db.pragma('journal_mode', { simple: true }));
  if (mode === 'wal') checks.push(ok('journal: WAL'));
  else checks.push(warn(`journal: ${mode}, not WAL`, 'The app switches the database to WAL when it opens it for writing. If it stays off, the file is probably on a network drive, which SQLite cannot share safely: move it to a local disk.'));

  const hasRuns = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'collection_runs'").get() !== undefined;
  const last = hasRuns
    ? (db.prepare("SELECT id, finished_at, accounts_total, accounts_ok, accounts_failed FROM collection_runs WHERE status = 'finished' ORDER BY finished_at DESC LIMIT 1").get() as
        | { id: number; finished_at: number; accounts_total: number; accounts_ok: number; accounts_failed: number }
        | undefined)
    : undefined;
  const schedule = `\`serve\` collects on the schedule "${config.schedules.collect}"`;
  if (!last) {
    checks.push(warn('last collect: none has finished yet', `Run \`npx audience-growth collect\` once; after that ${schedule}.`));
  } else {
    const age = now.getTime() - last.finished_at;
    const summary = `run #${last.id} finished ${ago(age)}, ${last.accounts_ok} of ${last.accounts_total} accounts read`;
    if (age > STALE_COLLECT_MS) checks.push(warn(`last collect: ${summary}`, `No collect has finished for ${ago(age).replace(/ ago$/, '')}: is \`serve\` running? ${schedule}; check its log (e.g. \`journalctl -u audience-growth\`).`));
    else if (last.accounts_failed > 0) checks.push(warn(`last collect: ${summary}`, `${last.accounts_failed} account(s) failed in that run: the account checks below say why; the collection health page lists them too.`));
    else checks.push(ok(`last collect: ${summary}`));
  }
  return db;
}

function ago(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 120) return `${min} min ago`;
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

// ---------------------------------------------------------------------------------------------
// Tokens.

/** env var name → token, for the Graph API and the Bot API; only tokens that are set. */
interface TokenSet {
  graph: Map<string, string>;
  bot: Map<string, string>;
}

const isGraph = (p: string) => p === 'facebook' || p === 'instagram';
const tokenKeyOf = (r: AccountRow) => r.token_env ?? (isGraph(r.platform) ? 'FACEBOOK_ACCESS_TOKEN' : 'TELEGRAM_BOT_TOKEN');

function checkTokens(config: AppConfig, env: NodeJS.ProcessEnv, rows: readonly AccountRow[], checks: Check[]): TokenSet {
  const tokens: TokenSet = { graph: new Map(), bot: new Map() };
  const users = new Map<string, AccountRow[]>();
  for (const r of rows) users.set(tokenKeyOf(r), [...(users.get(tokenKeyOf(r)) ?? []), r]);
  const used = (name: string) => users.get(name)?.length ?? 0;
  const accounts = (n: number) => `${n} account${n === 1 ? '' : 's'}`;
  /** "1 account uses", "2 accounts use" */
  const accountsUse = (n: number, verb: string) => `${accounts(n)} ${verb}${n === 1 ? 's' : ''}`;

  const fb = config.env.facebookToken;
  if (fb) {
    tokens.graph.set('FACEBOOK_ACCESS_TOKEN', fb);
    checks.push(ok(`FACEBOOK_ACCESS_TOKEN is set (${accountsUse(used('FACEBOOK_ACCESS_TOKEN'), 'use')} it)`));
  } else if (used('FACEBOOK_ACCESS_TOKEN') > 0) {
    checks.push(fail(`FACEBOOK_ACCESS_TOKEN is not set, and ${accountsUse(used('FACEBOOK_ACCESS_TOKEN'), 'need')} it`, `${NEW_FB_TOKEN} and put it in FACEBOOK_ACCESS_TOKEN.`));
  } else {
    checks.push(warn('FACEBOOK_ACCESS_TOKEN is not set (no account needs it now)', `Before adding Facebook or Instagram accounts: ${NEW_FB_TOKEN[0].toLowerCase()}${NEW_FB_TOKEN.slice(1)} and put it in FACEBOOK_ACCESS_TOKEN.`));
  }

  const bot = config.env.telegramBotToken;
  const botChats = [config.telegram.summaryChat, config.telegram.adminChat].filter(Boolean).length;
  if (bot) {
    tokens.bot.set('TELEGRAM_BOT_TOKEN', bot);
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(bot)) checks.push(warn('TELEGRAM_BOT_TOKEN is set but does not look like a bot token', 'A bot token is digits, a colon, then letters and digits (as @BotFather shows it): check that it was copied whole, without quotes or spaces.'));
    else checks.push(ok(`TELEGRAM_BOT_TOKEN is set (${accountsUse(used('TELEGRAM_BOT_TOKEN'), 'use')} it)`));
  } else if (used('TELEGRAM_BOT_TOKEN') > 0 || botChats > 0) {
    const why = used('TELEGRAM_BOT_TOKEN') > 0 ? `${accountsUse(used('TELEGRAM_BOT_TOKEN'), 'need')} it` : 'the bot posts to the chats in the config';
    checks.push(fail(`TELEGRAM_BOT_TOKEN is not set, and ${why}`, 'Create a bot with @BotFather (/newbot), put its token in TELEGRAM_BOT_TOKEN, and add the bot as an administrator to private channels and to the summary chats.'));
  } else {
    checks.push(warn('TELEGRAM_BOT_TOKEN is not set (no account needs it now)', 'Before adding Telegram channels or the weekly summary: create a bot with @BotFather (/newbot) and put its token in TELEGRAM_BOT_TOKEN.'));
  }

  const perAccount = [...users.keys()].filter((k) => k !== 'FACEBOOK_ACCESS_TOKEN' && k !== 'TELEGRAM_BOT_TOKEN').sort();
  for (const name of perAccount) {
    const list = users.get(name)!;
    const value = env[name]?.trim();
    registerSecret(value);
    if (value) {
      checks.push(ok(`${name} is set (${accountsUse(list.length, 'use')} it)`));
      for (const r of list) (isGraph(r.platform) ? tokens.graph : tokens.bot).set(name, value);
    } else {
      const shown = list.slice(0, 3).map((r) => `${r.platform} ${r.platform_id}`).join(', ') + (list.length > 3 ? ', …' : '');
      const fallback = isGraph(list[0].platform) ? 'FACEBOOK_ACCESS_TOKEN' : 'TELEGRAM_BOT_TOKEN';
      checks.push(fail(`${name} is not set, and ${accountsUse(list.length, 'name')} it as token_env (${shown})`, `Put their token in ${name}, or remove token_env from them in the config so they use ${fallback}.`));
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// APIs.

/** Why a TCP connection to an API root fails, in words; undefined when it opens. */
export function probeRoot(root: string, timeoutMs: number): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(root);
  } catch {
    return Promise.resolve('not a URL');
  }
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port });
    socket.setTimeout(timeoutMs);
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const words: Record<string, string> = {
        ECONNREFUSED: 'connection refused',
        ENOTFOUND: `host ${u.hostname} not found`,
        EAI_AGAIN: `host ${u.hostname} could not be looked up (DNS)`,
        EHOSTUNREACH: 'host unreachable',
        ENETUNREACH: 'network unreachable',
        ECONNRESET: 'connection reset',
        ETIMEDOUT: 'connection timed out',
      };
      done(words[e.code ?? ''] ?? e.code ?? e.message);
    });
  });
}

const shownRoot = (root: string) => `${root.replace(/\/+$/, '')}/`;

/** A request that got no usable answer: name the cause (unreachable, server fault, timeout). */
async function explainNoAnswer(err: CollectorError, root: string, envName: string, timeoutMs: number): Promise<string> {
  const reason = await probeRoot(root, Math.min(timeoutMs, 5_000));
  if (reason) return `Cannot reach ${shownRoot(root)} (${reason}). Check ${envName} and the network/proxy.`;
  if (err.kind === 'timeout') return `${shownRoot(root)} accepts connections but did not answer within ${Math.round(timeoutMs / 1000)} s. Check ${envName}, the network/proxy, and try again later.`;
  return `${shownRoot(root)} answered, but not as the API expects (${err.message}). Check that ${envName} points at the API itself, and try again later if it is a temporary fault.`;
}

function explainGraphToken(err: CollectorError, envName: string): string {
  const expired = /expired/i.test(err.message);
  return `The Facebook token in ${envName} ${expired ? 'has expired' : 'is not valid'} (Graph error ${err.code ?? 190}). ${NEW_FB_TOKEN} and put it in ${envName}.`;
}

async function checkGraph(config: AppConfig, settings: CollectSettings, tokens: Map<string, string>, rows: readonly AccountRow[], working: Set<string>, checks: Check[]): Promise<void> {
  const transport = new GraphTransport(settings);
  const root = config.env.facebookGraphUrl;
  const wantsInstagram = rows.some((r) => r.platform === 'instagram');
  for (const [name, token] of tokens) {
    const client = new GraphClient(token, transport, () => undefined);
    const title = `Graph API ${shownRoot(root)} with ${name}`;
    let me: { id?: unknown; name?: unknown };
    try {
      me = (await client.request('GET', ['me'], { fields: 'id,name' }, 'Graph /me')) as typeof me;
    } catch (e) {
      checks.push(fail(`${title}: /me failed`, await explainGraphError(e, name, root, settings)));
      continue;
    }
    working.add(name);
    checks.push(ok(`${title}: /me answers "${String(me.name ?? '?')}" (id ${String(me.id ?? '?')})`));

    let info: { is_valid?: unknown; expires_at?: unknown; scopes?: unknown; granular_scopes?: unknown; type?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      const body = (await client.request('GET', ['debug_token'], { input_token: token }, 'Graph /debug_token')) as { data?: typeof info };
      info = body.data;
    } catch (e) {
      checks.push(warn(`${name}: /debug_token could not inspect the token`, `${(e as Error).message}. The account checks below still show whether it can read.`));
      continue;
    }
    if (!info || info.is_valid !== true) {
      const code = typeof info?.error?.code === 'number' ? info.error.code : 190;
      const message = typeof info?.error?.message === 'string' ? info.error.message : 'the token is not valid';
      working.delete(name);
      checks.push(fail(`${name}: /debug_token says the token is not valid`, explainGraphToken(new CollectorError('invalid_token', message, { code }), name)));
      continue;
    }
    const scopes = Array.isArray(info.scopes) ? info.scopes.map(String) : [];
    const needed = [...FB_SCOPES, ...(wantsInstagram ? ['instagram_basic'] : [])];
    const missing = needed.filter((s) => !scopes.includes(s));
    await checkPageAccess(client, name, info, scopes, rows.filter((r) => tokenKeyOf(r) === name), checks);
    const expiresAt = typeof info.expires_at === 'number' ? info.expires_at * 1000 : 0;
    const expiry = expiresAt === 0 ? 'never expires' : `expires ${new Date(expiresAt).toISOString().slice(0, 10)}`;
    const kind = typeof info.type === 'string' ? info.type.toLowerCase().replace(/_/g, '-') : 'token';
    if (scopes.length > 0 && missing.length > 0) {
      checks.push(fail(`${name}: ${kind} token without ${missing.join(', ')}`, `Collect needs ${needed.join(', ')}. ${NEW_FB_TOKEN} and put it in ${name}.`));
    } else if (expiresAt !== 0 && expiresAt - Date.now() < 7 * 86_400_000) {
      checks.push(warn(`${name}: valid ${kind} token, ${expiry}`, `It stops working soon. A system-user token that never expires avoids this: ${NEW_FB_TOKEN[0].toLowerCase()}${NEW_FB_TOKEN.slice(1)} and put it in ${name}.`));
    } else {
      checks.push(ok(`${name}: valid ${kind} token, ${expiry}${scopes.length ? `, has ${needed.join(', ')}` : ''}`));
    }
  }
}

/**
 * What a real union's Pages need beyond /me (reference §1.7): the Business-Manager permission (ads_read or
 * ads_management) for `instagram_business_account`, that the token covers every configured Page
 * (granular_scopes), and one Page Insights read through a Page token obtained from this token.
 */
async function checkPageAccess(
  client: GraphClient,
  name: string,
  info: { granular_scopes?: unknown },
  scopes: string[],
  rows: readonly AccountRow[],
  checks: Check[],
): Promise<void> {
  const pages = rows.filter((r) => r.platform === 'facebook').map((r) => r.platform_id);
  const igPages = rows.filter((r) => r.platform === 'instagram' && r.page_id && !r.resolved_id).map((r) => r.page_id!);
  if (igPages.length > 0 && scopes.length > 0 && !scopes.includes('ads_read') && !scopes.includes('ads_management')) {
    checks.push(
      warn(
        `${name}: no ads_read or ads_management`,
        `Pages owned through Business Manager show their linked Instagram account (instagram_business_account) only with ads_read or ads_management; ${igPages.length} Instagram account(s) are found through their Page. ${NEW_FB_TOKEN}.`,
      ),
    );
  }
  const granular = Array.isArray(info.granular_scopes) ? (info.granular_scopes as { scope?: unknown; target_ids?: unknown }[]) : [];
  const pageScope = granular.find((g) => g.scope === 'pages_read_engagement') ?? granular.find((g) => g.scope === 'pages_show_list');
  if (pageScope && Array.isArray(pageScope.target_ids)) {
    const covered = new Set(pageScope.target_ids.map(String));
    const uncovered = [...new Set([...pages, ...igPages])].filter((p) => !covered.has(p));
    if (uncovered.length) {
      const shown = uncovered.slice(0, 5).join(', ') + (uncovered.length > 5 ? `, … (${uncovered.length} in all)` : '');
      checks.push(
        fail(
          `${name}: the token does not cover ${uncovered.length} configured Page${uncovered.length === 1 ? '' : 's'} (${shown})`,
          'In Business settings → Users → System users → Assign assets, give the system user these Pages (task ANALYZE "View Page performance" or more), then generate its token again.',
        ),
      );
    } else if (pages.length + igPages.length > 0) {
      checks.push(ok(`${name}: the token covers all ${new Set([...pages, ...igPages]).size} configured Pages`));
    }
  }
  const page = pages[0];
  if (!page) return;
  const pt = (await resolvePageTokens(client, [page])).get(page)!;
  if (!pt.ok) {
    checks.push(fail(`${name}: no Page access token for Page ${page}, so Page Insights (the history backfill) cannot be read`, `${pt.error.message.replace(/^.*? — fix: /, 'Fix: ')}.`));
    return;
  }
  const until = Math.floor(Date.now() / 1000);
  try {
    const pageClient = new GraphClient(pt.token, client.transport, () => undefined);
    await pageClient.request('GET', [page, 'insights'], { metric: 'page_follows', period: 'day', since: until - 3 * 86_400, until }, `Facebook Page ${page} insights`);
    checks.push(ok(`${name}: Page Insights of Page ${page} read through its Page token`));
  } catch (e) {
    const err = e instanceof CollectorError ? e : new CollectorError('other', String((e as Error)?.message ?? e));
    checks.push(fail(`${name}: Page Insights of Page ${page} cannot be read through its Page token`, `${err.message.split(' — fix: ')[0]}. ${err.message.includes(' — fix: ') ? `Fix: ${err.message.split(' — fix: ')[1]}.` : 'The token needs read_insights and pages_read_engagement, and the system user the ANALYZE task on the Page.'}`));
  }
}

/** Instagram Login accounts: where each token comes from and when it expires (warned 10 days before). */
function checkInstagramLogin(rows: readonly AccountRow[], env: NodeJS.ProcessEnv, now: Date, checks: Check[]): void {
  for (const r of rows.filter((x) => x.api === 'instagram_login')) {
    const t = loginTokenOf({ id: r.id, platform_id: r.platform_id, title: r.title, token_env: r.token_env, token_file: r.token_file }, env);
    const where = `Instagram ${r.platform_id} (Instagram Login, token from ${t.source.kind === 'file' ? `file ${t.source.name}` : t.source.name})`;
    const warning = expiryWarnings([t], now.getTime())[0];
    if (warning) {
      checks.push(fail(`${where}: ${warning.message.replace(/^.*?: /, '').split(' — fix: ')[0]}`, `Fix: ${warning.message.split(' — fix: ')[1] ?? `set ${t.source.name} to the account's long-lived Instagram token`}.`));
    } else if (t.expiresAt === undefined) {
      checks.push(warn(`${where}: the token's expiry is not known`, `Instagram Login tokens last 60 days. Put it in a token_file (mode 0600) so the service refreshes it and knows its expiry; doctor warns ${WARN_WITHIN_DAYS} days before.`));
    } else {
      const days = Math.floor((t.expiresAt - now.getTime()) / 86_400_000);
      checks.push(ok(`${where}: expires ${new Date(t.expiresAt).toISOString().slice(0, 10)} (in ${days} days${t.source.kind === 'file' ? '; refreshed by collect 30 days before' : ''})`));
    }
  }
}

async function explainGraphError(e: unknown, envName: string, root: string, settings: CollectSettings): Promise<string> {
  const err = e instanceof CollectorError ? e : new CollectorError('other', String((e as Error)?.message ?? e));
  switch (err.kind) {
    case 'invalid_token':
      return explainGraphToken(err, envName);
    case 'permission':
      if (/appsecret_proof/.test(err.message)) return `${err.message.split(' — fix: ')[0]}. Fix: ${/require an/.test(err.message) ? GRAPH_FIXES.appSecretMissing : GRAPH_FIXES.appSecretWrong}.`;
      return `The token in ${envName} lacks a permission (Graph error ${err.code ?? '?'}): ${err.message}. ${NEW_FB_TOKEN} and put it in ${envName}.`;
    case 'rate_limit':
      return `The Graph API is rate limiting this app (error ${err.code ?? '?'}). Wait a few minutes and run doctor again; collect slows down by itself.`;
    case 'transient':
    case 'timeout':
    case 'malformed':
      return explainNoAnswer(err, root, 'FACEBOOK_GRAPH_URL', settings.timeoutMs);
    default:
      return `${err.message}. Check FACEBOOK_GRAPH_URL and ${envName}.`;
  }
}

async function checkBot(config: AppConfig, settings: CollectSettings, tokens: Map<string, string>, working: Set<string>, checks: Check[]): Promise<void> {
  const root = config.env.telegramApiRoot;
  for (const [name, token] of tokens) {
    registerSecret(token);
    const title = `Bot API ${shownRoot(root)} with ${name}`;
    const telegram = new Telegram(token, { apiRoot: root });
    const signal = AbortSignal.timeout(settings.timeoutMs);
    try {
      const me = (await (telegram.callApi as (m: string, p: object, o: object) => Promise<unknown>)('getMe', {}, { signal })) as { username?: string; first_name?: string };
      working.add(name);
      checks.push(ok(`${title}: getMe answers @${me.username ?? '?'} (${me.first_name ?? 'no name'})`));
    } catch (e) {
      const err = telegramError(e, 'Bot API getMe', signal.aborted);
      let advice: string;
      if (err.kind === 'invalid_token') advice = `The Telegram bot token in ${name} is rejected (Bot API ${err.code ?? 401} Unauthorized): it was revoked or mistyped. ${NEW_BOT_TOKEN} and put it in ${name}.`;
      else if (err.kind === 'rate_limit') advice = 'The Bot API asks to slow down (429). Wait a minute and run doctor again.';
      else if (err.kind === 'transient' || err.kind === 'timeout' || err.kind === 'malformed') advice = await explainNoAnswer(err, root, 'TELEGRAM_API_ROOT', settings.timeoutMs);
      else advice = `${err.message}. Check TELEGRAM_API_ROOT and ${name}.`;
      checks.push(fail(`${title}: getMe failed`, advice));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts: read once through the real collectors (one Graph batch per 50 accounts, one Bot API
// call per channel), nothing stored.

const NOUN: Record<CollectedPlatform, [string, string]> = { facebook: ['Page', 'Pages'], instagram: ['Instagram account', 'Instagram accounts'], telegram: ['channel', 'channels'] };

function explainAccount(row: AccountRow, err: CollectorError): string {
  const code = err.code !== undefined ? ` (${row.platform === 'telegram' ? 'Bot API' : 'Graph error'} ${err.code})` : '';
  const where = row.platform === 'telegram' ? `Telegram chat ${row.platform_id}` : row.platform === 'instagram' ? `Instagram account ${row.platform_id}` : `Facebook Page ${row.platform_id}`;
  switch (err.kind) {
    case 'not_found':
      if (row.platform === 'telegram') return `${where}: not found${code}. Check the @username or id; a private channel must have the bot as an administrator.`;
      if (row.platform === 'instagram' && /no Instagram/.test(err.message)) return `${where}: no Instagram professional account is linked to the Page. Link it in the Page's settings, or give the IG user id instead.`;
      return `${where}: Graph cannot find it${code}. Check the id in the config, and that the ${row.platform === 'instagram' ? 'account\'s Page' : 'Page'} is assigned to the system user in Business Settings.`;
    case 'permission':
      if (row.platform === 'telegram') return `${where}: the bot may not read it${code}: ${err.message.replace(/^.*?: /, '')}. Add the bot to the channel as an administrator.`;
      return `${where}: the token may not read it${code}. Assign the Page to the system user with the "analyze" task in Business Settings, and make sure the token has pages_read_engagement, read_insights${row.platform === 'instagram' ? ', instagram_basic' : ''}.`;
    case 'invalid_token':
      return `${where}: the token was refused${code}. ${row.platform === 'telegram' ? NEW_BOT_TOKEN : NEW_FB_TOKEN} and put it in ${tokenKeyOf(row)}.`;
    case 'rate_limit':
      return `${where}: rate limited${code}. Collect waits and retries by itself; run doctor again later.`;
    default:
      return `${where}: ${err.message.replace(/^.*?: /, '')}${code}. If it repeats, the collection health page shows how often it fails.`;
  }
}

async function checkAccounts(settings: CollectSettings, rows: readonly AccountRow[], env: NodeJS.ProcessEnv, config: AppConfig, working: Set<string>, checks: Check[]): Promise<void> {
  const registry = createDefaultRegistry(settings);
  const byPlatform = new Map<CollectedPlatform, AccountRow[]>();
  for (const r of rows) byPlatform.set(r.platform as CollectedPlatform, [...(byPlatform.get(r.platform as CollectedPlatform) ?? []), r]);

  for (const platform of COLLECTED_PLATFORMS) {
    const list = byPlatform.get(platform);
    if (!list) continue;
    const collector = registry.get(platform);
    const targets: AccountTarget[] = [];
    let skipped = 0;
    for (const r of list) {
      if (r.api === 'instagram_login') {
        const t = loginTokenOf({ id: r.id, platform_id: r.platform_id, title: r.title, token_env: r.token_env, token_file: r.token_file }, env);
        if (!t.token) skipped++;
        else targets.push({ accountId: r.id, platform, platformId: r.platform_id, title: r.title, token: t.token, tokenKey: `instagram_login:${r.id}`, api: 'instagram_login' });
        continue;
      }
      const key = tokenKeyOf(r);
      const token = r.token_env ? env[r.token_env]?.trim() : isGraph(platform) ? config.env.facebookToken : config.env.telegramBotToken;
      if (!token || !working.has(key)) {
        skipped++;
        continue;
      }
      targets.push({ accountId: r.id, platform, platformId: r.platform_id, pageId: r.page_id, resolvedId: r.resolved_id, title: r.title, token, tokenKey: key });
    }
    const failures: Array<{ row: AccountRow; error: CollectorError }> = [];
    let readable = 0;
    if (collector && targets.length) {
      const byId = new Map(list.map((r) => [r.id, r]));
      const seen = new Set<number>();
      const report = (o: CollectOutcome) => {
        const id = o.ok ? o.reading.accountId : o.accountId;
        if (seen.has(id)) return;
        seen.add(id);
        if (o.ok) readable++;
        else failures.push({ row: byId.get(id)!, error: o.error });
      };
      await collector.collect(targets, { report, countRequest: () => undefined });
    }
    const noun = NOUN[platform][list.length === 1 ? 0 : 1];
    const skipNote = skipped ? `; ${skipped} not checked until the problem above is fixed` : '';
    if (failures.length === 0 && skipped === 0) {
      checks.push(ok(`${platform}: ${readable} of ${list.length} ${noun} readable`));
    } else if (failures.length === 0 && readable === 0) {
      checks.push(warn(`${platform}: ${list.length} ${noun} not checked until the problem above is fixed`));
    } else if (failures.length === 0) {
      checks.push(warn(`${platform}: ${readable} of ${list.length} ${noun} readable${skipNote}`));
    } else {
      const advice = failures.slice(0, MAX_ACCOUNT_LINES).map((f) => explainAccount(f.row, f.error));
      if (failures.length > MAX_ACCOUNT_LINES) advice.push(`… and ${failures.length - MAX_ACCOUNT_LINES} more: run \`npx audience-growth collect --platform ${platform}\` and see the collection health page.`);
      checks.push(fail(`${platform}: ${failures.length} of ${list.length} ${noun} not readable${skipNote}`, ...advice));
    }
  }
}
