// Fixtures for collect tests: a temp database with accounts, a config pointing at an emulator, and
// collector settings with short delays so fault tests stay fast.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { openDatabase, type Db } from '../../db';
import { loadConfig, type AppConfig } from '../../src/config';
import type { CollectSettings } from '../../collectors/types';
import { ROOT, tempDir } from './cli';

export const FAST: Partial<CollectSettings> = {
  timeoutMs: 400,
  maxRetries: 3,
  retryBaseMs: 5,
  retryMaxMs: 50,
  rateLimitPauseMs: 20,
  usageMaxSpacingMs: 100,
  telegramRatePerSecond: 1000,
};

export interface Fixture {
  dir: string;
  dbPath: string;
  db: Db;
  orgId: number;
  addAccount(platform: string, platformId: string, extra?: { pageId?: string; tokenEnv?: string; title?: string; closedDay?: number; orgId?: number }): number;
  addOrg(slug: string, parentId: number | null): number;
}

export function fixture(): Fixture {
  const dir = tempDir('ag-collect-');
  const dbPath = path.join(dir, 'ag.db');
  const db = openDatabase(dbPath);
  const now = Date.now();
  const addOrg = (slug: string, parentId: number | null) =>
    Number(
      db
        .prepare("INSERT INTO organisations (slug, parent_id, level, name_ru, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(slug, parentId, parentId ? 'region' : 'council', slug, now, now).lastInsertRowid,
    );
  const orgId = addOrg('kz', null);
  return {
    dir,
    dbPath,
    db,
    orgId,
    addOrg,
    addAccount: (platform, platformId, extra = {}) =>
      Number(
        db
          .prepare('INSERT INTO accounts (org_id, platform, platform_id, page_id, title, token_env, closed_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(extra.orgId ?? orgId, platform, platformId, extra.pageId ?? null, extra.title ?? null, extra.tokenEnv ?? null, extra.closedDay ?? null, now, now).lastInsertRowid,
      ),
  };
}

export function configFor(url: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    env: { FACEBOOK_GRAPH_URL: url, TELEGRAM_API_ROOT: url, FACEBOOK_ACCESS_TOKEN: 'EAAtest-fb-token', TELEGRAM_BOT_TOKEN: '111:test-bot-token', DATABASE_PATH: ':memory:', ...env },
    file: path.join(ROOT, 'test/helpers/empty-config.yaml'),
  });
}

export interface AsyncCliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process, asynchronously (an in-process emulator must keep answering). */
export function spawnCli(args: string[], env: Record<string, string>): { done: Promise<AsyncCliResult>; kill(sig: NodeJS.Signals): void; pid: number } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/audience-growth.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<AsyncCliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { done, kill: (sig) => child.kill(sig), pid: child.pid! };
}

export type Snap = { account_id: number; day: number; audience: number; source: number };
export const snapshots = (db: Db): Snap[] => db.prepare('SELECT account_id, day, audience, source FROM snapshots ORDER BY account_id, day').all() as Snap[];
export const failures = (db: Db, runId: number) =>
  db.prepare('SELECT account_id, kind, message FROM collection_failures WHERE run_id = ? ORDER BY account_id').all(runId) as { account_id: number; kind: string; message: string }[];
