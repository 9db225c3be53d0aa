// The Bot API client: telegraf's Telegram with the API root from TELEGRAM_API_ROOT, so tests and the demo
// talk to the emulator; and the small adapter the outbox sender uses.
import { Telegram } from 'telegraf';
import type { AppConfig } from '../config';
import { InputError } from '../config';
import { registerSecret } from '../log';
import type { SendApi } from './outbox';

/** A Telegram client for the configured bot; throws a clear error when TELEGRAM_BOT_TOKEN is not set. */
export function createTelegram(config: AppConfig): Telegram {
  const token = config.env.telegramBotToken;
  if (!token) throw new InputError('is not set: the bot needs a token to post', 'environment', undefined, 'TELEGRAM_BOT_TOKEN');
  registerSecret(token);
  return new Telegram(token, telegramOptions(config));
}

/** telegraf options: the API root (a path prefix needs its trailing slash, see platform-apis §4b). */
export function telegramOptions(config: AppConfig): { apiRoot: string } {
  const root = config.env.telegramApiRoot;
  return { apiRoot: new URL(root).pathname.length > 1 ? root.replace(/\/?$/, '/') : root };
}

export function telegramSendApi(telegram: Telegram): SendApi {
  return {
    sendMessage: (chatId, html) =>
      telegram.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
  };
}
