// `collect [--platform P] [--org SLUG] [--backfill DAYS] [--account ID]`: one collection run now.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { InputError } from '../../config';
import { runCollect, type CollectResult } from '../../jobs/collect';
import { botPolling } from '../../posts/bot-polling';
import { createProgress, type Progress } from '../../progress';
import { COLLECTED_PLATFORMS, type CollectedPlatform } from '../../../collectors/types';

function parseDays(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 730) throw new InputError(`must be a whole number of days from 1 to 730, got ${JSON.stringify(v)}`, undefined, undefined, '--backfill');
  return n;
}

function parsePostsDays(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 3650) throw new InputError(`must be a whole number of days from 1 to 3650, got ${JSON.stringify(v)}`, undefined, undefined, '--posts-history');
  return n;
}

function parsePlatform(v: string): CollectedPlatform {
  if (!(COLLECTED_PLATFORMS as readonly string[]).includes(v)) {
    throw new InputError(`must be one of ${COLLECTED_PLATFORMS.join(', ')} (newspaper figures are entered, not collected), got ${JSON.stringify(v)}`, undefined, undefined, '--platform');
  }
  return v as CollectedPlatform;
}

export function formatCollectResult(r: CollectResult): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  lines.push(`collect run #${r.runId} on ${r.date}: ${r.accountsOk} of ${r.accountsTotal} accounts read, ${r.accountsFailed} failed, ${r.requests} HTTP requests, ${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push(`${'platform'.padEnd(10)}${pad('accounts', 9)}${pad('ok', 7)}${pad('failed', 7)}${pad('requests', 9)}${pad('seconds', 9)}`);
  for (const [p, s] of Object.entries(r.perPlatform)) {
    lines.push(`${p.padEnd(10)}${pad(s.accounts, 9)}${pad(s.ok, 7)}${pad(s.failed, 7)}${pad(s.requests, 9)}${pad((s.wallMs / 1000).toFixed(1), 9)}`);
  }
  if (r.backfill) {
    const b = r.backfill;
    lines.push(`backfill: ${b.accounts} Facebook Pages, ${b.snapshotsWritten} daily snapshots written, ${b.failed} failed, ${b.requests} requests`);
  }
  if (r.posts) {
    const p = r.posts;
    lines.push(
      `posts: ${p.ok} of ${p.accounts} accounts read, ${p.failed} failed; ${p.inserted} new, ${p.updated} updated, ${p.deleted} marked deleted; ` +
        `${p.graphRequests} Graph and ${p.previewRequests} Telegram preview requests${p.updatesPosts ? `, ${p.updatesPosts} channel posts from updates` : ''}`,
    );
    if (p.failures.length) {
      lines.push(`accounts whose posts could not be read (${p.failures.length}):`);
      for (const f of p.failures.slice(0, 200)) lines.push(`  ${f.platform} ${f.platformId}: [${f.noPreview ? 'no public preview' : f.kind}] ${f.message}`);
      if (p.failures.length > 200) lines.push(`  … and ${p.failures.length - 200} more (see the collection health page)`);
    }
  }
  if (r.failures.length) {
    lines.push(`failed accounts (${r.failures.length}):`);
    for (const f of r.failures.slice(0, 200)) lines.push(`  ${f.platform} ${f.platformId}: [${f.kind}] ${f.message}`);
    if (r.failures.length > 200) lines.push(`  … and ${r.failures.length - 200} more (see the collection health page)`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('collect')
    .description('read the current audience of the Facebook, Instagram and Telegram accounts now (one snapshot per account per local date)')
    .option('--platform <platform>', `only this platform: ${COLLECTED_PLATFORMS.join(', ')}`, parsePlatform)
    .option('--org <slug>', 'only the accounts of this organisation and the ones below it')
    .option('--account <id>', 'only this account (its platform id as configured, e.g. @channel, or its number)')
    .option('--backfill <days>', 'also read up to this many days of Facebook Page history from Page Insights (1-730)', parseDays)
    .option('--posts-only', 'read only the posts (publications), not the audiences')
    .option('--posts-history <days>', 'read this many days of posts back (e.g. for a channel just connected), whatever is already known', parsePostsDays)
    .option('--no-posts', 'do not read posts this time')
    .action(async (o: { platform?: CollectedPlatform; org?: string; account?: string; backfill?: number; postsOnly?: boolean; postsHistory?: number; posts?: boolean }) => {
      const config = ctx.config();
      const db = ctx.db();
      // One progress per phase, made when the job first reports (it knows the totals).
      const started = Date.now();
      let phase: string | undefined;
      let progress: Progress | undefined;
      try {
        const result = await runCollect({
          db,
          config,
          onSnapshotsChanged: ctx.services().onSnapshotsChanged,
          platform: o.platform,
          orgSlug: o.org,
          account: o.account,
          backfillDays: o.backfill,
          posts: o.posts !== false,
          postsOnly: o.postsOnly,
          postsHistoryDays: o.postsHistory,
          takeUpdates: !botPolling(db),
          trigger: 'manual',
          onProgress: (done, total, p = 'accounts') => {
            if (p !== phase) {
              progress?.stop();
              phase = p;
              progress = createProgress(p === 'backfill' ? 'collect --backfill' : p === 'posts' ? 'collect posts' : 'collect', total, {
                unit: p === 'backfill' ? 'Page histories' : 'accounts',
                since: started,
              });
            }
            progress!.update(done, total);
          },
        });
        progress?.stop();
        process.stdout.write(formatCollectResult(result));
      } finally {
        progress?.stop();
      }
    });
}
