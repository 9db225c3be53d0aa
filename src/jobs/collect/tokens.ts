// Which token reads each account: its own `token_env` variable, else the platform's default
// (FACEBOOK_ACCESS_TOKEN for Graph platforms, TELEGRAM_BOT_TOKEN for Telegram); an Instagram Login account
// reads with its own token only (token_file or token_env, src/instagram-tokens.ts). Every token found is
// registered for redaction. An account without a token fails alone, with the variable to set.
import type { AccountRow } from '../../../db/orgs';
import type { AppConfig } from '../../config';
import { registerSecret } from '../../../collectors/http';
import type { AccountTarget, CollectedPlatform } from '../../../collectors/types';
import type { LoginToken } from '../../instagram-tokens';

export interface ResolvedTokens {
  /** Per platform, the accounts to read with their tokens. */
  targets: Map<CollectedPlatform, AccountTarget[]>;
  /** Accounts that cannot be read: no token. */
  missing: { row: AccountRow; message: string }[];
}

export function resolveTokens(rows: readonly AccountRow[], config: AppConfig, env: NodeJS.ProcessEnv, loginTokens = new Map<number, LoginToken>()): ResolvedTokens {
  registerSecret(config.env.facebookToken);
  registerSecret(config.env.telegramBotToken);
  const targets = new Map<CollectedPlatform, AccountTarget[]>();
  const missing: ResolvedTokens['missing'] = [];
  for (const row of rows) {
    const platform = row.platform as CollectedPlatform;
    const login = row.api === 'instagram_login' ? loginTokens.get(row.id) : undefined;
    if (row.api === 'instagram_login') {
      if (!login?.token) {
        missing.push({ row, message: login?.problem ?? `no token: give the account token_env or token_file` });
        continue;
      }
      const list = targets.get(platform) ?? [];
      list.push({ accountId: row.id, platform, platformId: row.platform_id, title: row.title, token: login.token, tokenKey: `instagram_login:${row.id}`, api: 'instagram_login' });
      targets.set(platform, list);
      continue;
    }
    const graph = platform !== 'telegram';
    const tokenKey = row.token_env ?? (graph ? 'FACEBOOK_ACCESS_TOKEN' : 'TELEGRAM_BOT_TOKEN');
    const token = row.token_env ? env[row.token_env]?.trim() || undefined : graph ? config.env.facebookToken : config.env.telegramBotToken;
    registerSecret(token);
    if (!token) {
      missing.push({ row, message: `no token: the environment variable ${tokenKey} is not set` });
      continue;
    }
    const list = targets.get(platform) ?? [];
    list.push({ accountId: row.id, platform, platformId: row.platform_id, pageId: row.page_id, resolvedId: row.resolved_id, title: row.title, token, tokenKey });
    targets.set(platform, list);
  }
  return { targets, missing };
}
