// `summary [--post] [--week YYYY-Www] [--org SLUG] [--lang ru|kk|en]`: prints the weekly summary, or posts it
// through the outbox to the configured chat(s): the summary chat gets the root's, each organisation with its
// own telegram_chat its subtree's.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError, LANGUAGES, type Language } from '../../config';
import { orgBySlug, rootOrgs } from '../../../db/orgs';
import { parseIsoWeek } from '../../domain/periods';
import { ensureRollups } from '../../jobs/compute';
import { chatLanguage } from '../../bot/chats';
import { Outbox, Sender } from '../../bot/outbox';
import { htmlToText } from '../../bot/split';
import { lastWeekLabel } from '../../bot/service';
import { queueWeeklySummaries, summaryDestinations, summaryPosts } from '../../bot/summary';
import { createTelegram, telegramSendApi } from '../../bot/telegram';

interface SummaryOpts {
  post?: boolean;
  week?: string;
  org?: string;
  lang?: string;
  plain?: boolean;
  wait?: string;
  again?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('summary')
    .description('print the weekly summary (default: the ISO week just ended), or --post it to the configured chat(s)')
    .option('--post', 'post to Telegram: the summary chat gets the whole tree, each org with a telegram_chat its subtree')
    .option('--week <YYYY-Www>', 'ISO week, e.g. 2026-W47 (default: the week just ended)')
    .option('--org <slug>', 'only this organisation\'s subtree (and, with --post, only its chat)')
    .option('--lang <lang>', 'ru | kk | en (default: the chat\'s language, else the configured one)')
    .option('--again', 'with --post: post even if this week\'s summary was already posted to the chat')
    .option('--plain', 'print plain text instead of Telegram HTML')
    .option('--wait <seconds>', 'with --post: how long to keep sending before leaving the rest queued for serve', '300')
    .action(async (opts: SummaryOpts) => {
      const config = ctx.config();
      const week = opts.week ?? lastWeekLabel(config);
      try {
        parseIsoWeek(week);
      } catch (err) {
        throw new InputError(`must be an ISO week as YYYY-Www: ${(err as Error).message}`, undefined, undefined, '--week');
      }
      if (opts.lang !== undefined && !(LANGUAGES as readonly string[]).includes(opts.lang)) {
        throw new InputError(`must be one of ${LANGUAGES.join(', ')}, got ${JSON.stringify(opts.lang)}`, undefined, undefined, '--lang');
      }
      const wait = Number(opts.wait ?? '300');
      if (!Number.isFinite(wait) || wait < 0) throw new InputError(`must be a number of seconds, got ${JSON.stringify(opts.wait)}`, undefined, undefined, '--wait');
      const lang = opts.lang as Language | undefined;
      const db = ctx.db();
      const org = opts.org === undefined ? undefined : orgBySlug(db, opts.org);
      if (opts.org !== undefined && !org) throw new InputError(`no organisation has the slug ${JSON.stringify(opts.org)}`, undefined, undefined, '--org');
      ensureRollups(db);

      if (!opts.post) {
        const target = org ?? rootOrgs(db)[0];
        if (!target) throw new InputError('there are no organisations yet: run `import` first', undefined, undefined, '--org');
        const dest = summaryDestinations(db, config, target)[0];
        const posts = summaryPosts(db, config, target, week, lang ?? (dest ? chatLanguage(db, config, [dest.chatId]) : config.telegram.language ?? config.language));
        process.stdout.write(posts.map((p) => (opts.plain ? htmlToText(p) : p)).join('\n\n— ✂ —\n\n') + '\n');
        return;
      }

      if (summaryDestinations(db, config, org).length === 0) {
        throw new InputError(
          org
            ? `organisation ${org.slug} has no telegram_chat${org.parent_id === null ? ' and telegram.summary_chat is not set' : ''}`
            : 'no chat to post to: set telegram.summary_chat in the config, or telegram_chat on an organisation',
          config.file,
          undefined,
          'telegram.summary_chat',
        );
      }
      const telegram = createTelegram(config);
      const outbox = new Outbox(db);
      const queued = queueWeeklySummaries(db, config, outbox, week, { org, lang, again: opts.again });
      for (const q of queued) {
        process.stderr.write(
          `${q.chatId}: ${q.org.slug} ${week} (${q.lang}) — ${q.queued.length ? `${q.queued.length} post(s) queued` : 'already posted or queued earlier: not queued again (use --again to post it anew)'}\n`,
        );
      }
      const result = await new Sender(outbox, telegramSendApi(telegram)).drain(Date.now() + wait * 1000);
      process.stderr.write(`sent ${result.sent}, failed ${result.failed}, still queued ${result.pending} (serve delivers what is left)\n`);
      if (result.failed > 0) process.exitCode = 1;
    });
}
