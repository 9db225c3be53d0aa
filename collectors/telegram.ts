// Telegram channels and groups: `getChatMemberCount` through telegraf (falling back to the old
// `getChatMembersCount` name when the server does not know the new one), title from `getChat`,
// at a configured request rate per bot token, honouring 429 `retry_after`.
import { Telegram } from 'telegraf';
import {
  CollectorError,
  InvalidTokenError,
  MalformedResponseError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  RateLimiter,
  TimeoutError,
  TransientError,
  fromNetworkError,
  mapLimit,
  registerSecret,
  withRetry,
} from './http';
import { byToken } from './facebook';
import type { AccountTarget, CollectContext, Collector, CollectSettings } from './types';

interface TelegramErrorLike {
  name?: string;
  response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

/** telegraf's TelegramError (its `name` is plain 'Error', so test the shape). */
function isTelegramError(e: TelegramErrorLike | undefined): e is TelegramErrorLike & { response: { error_code: number } } {
  return !!e && typeof e === 'object' && typeof e.response?.error_code === 'number';
}

export function telegramError(e: unknown, what: string, timedOut: boolean): CollectorError {
  if (e instanceof CollectorError) return e;
  if (timedOut) return new TimeoutError(`${what}: no answer within the timeout`);
  const te = e as TelegramErrorLike;
  if (isTelegramError(te)) {
    const code = te.response.error_code ?? 0;
    const desc = te.response.description ?? `error ${code}`;
    const msg = `${what}: ${desc}`;
    if (code === 429) {
      const s = te.response.parameters?.retry_after;
      return new RateLimitError(msg, { code, retryAfterMs: typeof s === 'number' ? s * 1000 : undefined });
    }
    if (code === 401 || (code === 404 && /unauthorized/i.test(desc))) return new InvalidTokenError(msg, { code });
    if (code === 400 && /not found|chat_id is empty|invalid/i.test(desc)) return new NotFoundError(msg, { code });
    if (code === 403) return new PermissionError(msg, { code });
    if (code >= 500) return new TransientError(msg, { code });
    return new CollectorError('other', msg, { code });
  }
  const fe = e as { type?: string; name?: string };
  if (fe?.type === 'invalid-json') return new MalformedResponseError(`${what}: the answer is not valid JSON`);
  if (fe?.type === 'aborted' || fe?.name === 'AbortError') return new TimeoutError(`${what}: no answer within the timeout`);
  if (fe?.type === 'system' || fe?.name === 'FetchError') return new TransientError(`${what}: connection failed`);
  return fromNetworkError(e, what);
}

/** The server does not know a method name (an older Bot API server or proxy). */
class UnknownMethodError extends CollectorError {
  constructor(method: string) {
    super('other', `Bot API: method ${method} not found`);
  }
}

function isUnknownMethod(e: unknown): boolean {
  const te = e as TelegramErrorLike;
  return isTelegramError(te) && te.response.error_code === 404 && /method not found|not found/i.test(te.response.description ?? '');
}

export class TelegramCollector implements Collector {
  readonly platform = 'telegram' as const;
  private readonly limiters = new Map<string, RateLimiter>();
  /** Servers that answered "method not found" to getChatMemberCount. */
  private legacyCount = false;

  constructor(private readonly settings: CollectSettings) {}

  private limiterFor(token: string): RateLimiter {
    let l = this.limiters.get(token);
    if (!l) {
      l = new RateLimiter(this.settings.telegramRatePerSecond);
      this.limiters.set(token, l);
    }
    return l;
  }

  async collect(accounts: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
    await Promise.all(byToken(accounts).map((group) => this.collectGroup(group, ctx)));
  }

  private async collectGroup(group: readonly AccountTarget[], ctx: CollectContext): Promise<void> {
    const token = group[0].token;
    registerSecret(token);
    const telegram = new Telegram(token, { apiRoot: this.settings.telegramApiRoot });
    const limiter = this.limiterFor(token);
    const policy = { maxRetries: this.settings.maxRetries, baseDelayMs: this.settings.retryBaseMs, maxDelayMs: this.settings.retryMaxMs };
    let dead: CollectorError | undefined;

    const call = async <T>(method: string, chatId: string, what: string): Promise<T> =>
      withRetry(async () => {
        if (dead) throw dead;
        await limiter.acquire();
        if (dead) throw dead;
        const signal = AbortSignal.timeout(this.settings.timeoutMs);
        ctx.countRequest(1);
        try {
          // callApi is typed per method name; the two we use both take { chat_id }.
          return (await (telegram.callApi as (m: string, p: object, o: object) => Promise<unknown>)(method, { chat_id: chatId }, { signal })) as T;
        } catch (e) {
          if (method === 'getChatMemberCount' && isUnknownMethod(e)) throw new UnknownMethodError(method);
          const err = telegramError(e, what, signal.aborted);
          if (err.kind === 'rate_limit') limiter.pause(err.retryAfterMs ?? this.settings.retryBaseMs);
          if (err.kind === 'invalid_token') dead = err;
          throw err;
        }
      }, policy);

    const count = async (chatId: string, what: string): Promise<unknown> => {
      if (!this.legacyCount) {
        try {
          return await call<unknown>('getChatMemberCount', chatId, what);
        } catch (e) {
          if (!(e instanceof UnknownMethodError)) throw e;
          this.legacyCount = true;
          ctx.log?.('warn', 'Bot API has no getChatMemberCount; using getChatMembersCount');
        }
      }
      return call<unknown>('getChatMembersCount', chatId, what);
    };

    await mapLimit(group, this.settings.telegramConcurrency, async (a) => {
      const what = `Telegram chat ${a.platformId}`;
      try {
        const n = await count(a.platformId, what);
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new MalformedResponseError(`${what}: the member count is not a number`);
        let title: string | undefined;
        if (!a.title) {
          // The title is only fetched while unknown, so a daily run costs one request per channel.
          try {
            const chat = await call<{ title?: unknown; username?: unknown }>('getChat', a.platformId, what);
            title = typeof chat?.title === 'string' ? chat.title : typeof chat?.username === 'string' ? `@${chat.username}` : undefined;
          } catch (e) {
            ctx.log?.('warn', 'getChat failed; the count is kept', { account: a.platformId, error: (e as Error).message });
          }
        }
        ctx.report({ ok: true, reading: { accountId: a.accountId, audience: n, at: Date.now(), title } });
      } catch (e) {
        ctx.report({ ok: false, accountId: a.accountId, error: telegramError(e, what, false) });
      }
    });
  }
}
