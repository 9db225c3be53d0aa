// The bot's information-work parts (DESIGN §11): the weekly summary's short section (posts, active share of
// primary organisations, the week's three best posts with links, the least-covered theme), the `/posts [org]`
// answer, and the admin alert when all channels of a region have been silent for 14 days. Figures come from
// the same measures module as `export publications`, so the summary and the export agree.
import type { Db } from '../../db';
import { allOrgs, orgName, type OrgRow } from '../../db/orgs';
import type { AppConfig, Language } from '../config';
import { addDays, fromEpochDay, toEpochDay } from '../domain/dates';
import { SILENCE_DAYS } from '../domain/publications';
import { formatDate, formatNumber, formatPercent } from '../i18n/format';
import { bestPosts, type BestPost } from '../publications/best-posts';
import { accountStates, ensureInformationWork, publicationRows, rubricRows, type PublicationRow } from '../publications/measures-data';
import { orgStatesOn } from '../posts/states';
import type { RubricName } from '../domain/rubrics';
import { escapeHtml } from './split';

export interface InfoWorkSummary {
  from: string;
  to: string;
  /** the org's row of `export publications` (social) for the period */
  row: PublicationRow;
  /** active share of the primary organisations under the org on the last day */
  active: { active_orgs: number; orgs_with_accounts: number; active_share: number | null };
  best: BestPost[];
  /** the rubric with the smallest share of the period's posts (null without posts) */
  least: { slug: string; name: RubricName; share: number | null } | null;
}

export function infoWorkSummary(db: Db, config: AppConfig, org: OrgRow, from: string, to: string): InfoWorkSummary {
  ensureInformationWork(db, config.rubrics);
  const q = { org: org.slug, group: 'social' as const, from, to };
  const row = publicationRows(db, q).find((r) => r.org === org.slug)!;
  const active = orgStatesOn(db, 'social', toEpochDay(to), [org.id]).get(org.id)!.active('primary');
  const subtree = new Set<number>();
  const parent = new Map(allOrgs(db).map((o) => [o.id, o.parent_id]));
  for (const [id] of parent) {
    for (let o: number | null | undefined = id; o != null; o = parent.get(o)) {
      if (o === org.id) {
        subtree.add(id);
        break;
      }
    }
  }
  const best = bestPosts(db, { from: toEpochDay(from), to: toEpochDay(to), orgIds: [...subtree], limit: 3 });
  let least: InfoWorkSummary['least'] = null;
  if (row.posts !== null && row.posts > 0) {
    for (const r of rubricRows(db, config.rubrics, q).filter((x) => x.org === org.slug)) {
      if (least === null || (r.share_percent ?? 0) < (least.share ?? 0)) {
        least = { slug: r.rubric, name: config.rubrics.find((d) => d.slug === r.rubric)!.name, share: r.share_percent };
      }
    }
  }
  return { from, to, row, active, best, least };
}

interface Words {
  title: string;
  posts(n: string, perWeek: string, er: string): string;
  active(share: string, a: string, n: string): string;
  best: string;
  bestLine(org: string, er: string): string;
  least(name: string, share: string): string;
  noPosts: string;
  noData: string;
  postsTitle(org: string, from: string, to: string): string;
  silentChannels(n: string): string;
  silentLine(account: string, days: string): string;
  alertSilentRegion(region: string, days: number, channels: string): string;
}

const WORDS: Record<Language, Words> = {
  ru: {
    title: '<b>Информационная работа</b>',
    posts: (n, w, er) => `Публикаций: ${n} (${w} в неделю), вовлечённость ${er}`,
    active: (s, a, n) => `Активных первичных организаций: ${s} (${a} из ${n} с каналами)`,
    best: 'Лучшие публикации недели:',
    bestLine: (org, er) => `${org} — ER ${er}`,
    least: (name, share) => `Меньше всего освещается: ${name} (${share})`,
    noPosts: 'Публикаций нет.',
    noData: 'Публикаций: нет данных (публикации каналов ещё ни разу не прочитаны).',
    postsTitle: (org, from, to) => `<b>Публикации: ${org}</b>\n${from} – ${to}`,
    silentChannels: (n) => `Молчащих каналов (14 дней без публикаций): ${n}`,
    silentLine: (a, d) => `• ${a}: ${d} дн. без публикаций`,
    alertSilentRegion: (r, d, c) => `⚠ Все каналы организации «${r}» молчат ${d} дней или дольше: ${c}`,
  },
  kk: {
    title: '<b>Ақпараттық жұмыс</b>',
    posts: (n, w, er) => `Жарияланымдар: ${n} (аптасына ${w}), қатысу деңгейі ${er}`,
    active: (s, a, n) => `Белсенді бастауыш ұйымдар: ${s} (арнасы бар ${n} ұйымның ${a})`,
    best: 'Аптаның үздік жарияланымдары:',
    bestLine: (org, er) => `${org} — ER ${er}`,
    least: (name, share) => `Ең аз қамтылған тақырып: ${name} (${share})`,
    noPosts: 'Жарияланымдар жоқ.',
    noData: 'Жарияланымдар: деректер жоқ (арналардың жарияланымдары әлі оқылмаған).',
    postsTitle: (org, from, to) => `<b>Жарияланымдар: ${org}</b>\n${from} – ${to}`,
    silentChannels: (n) => `Үнсіз арналар (14 күн жарияланымсыз): ${n}`,
    silentLine: (a, d) => `• ${a}: ${d} күн жарияланымсыз`,
    alertSilentRegion: (r, d, c) => `⚠ «${r}» ұйымының барлық арналары ${d} күн немесе одан да ұзақ үнсіз: ${c}`,
  },
  en: {
    title: '<b>Information work</b>',
    posts: (n, w, er) => `Posts: ${n} (${w} a week), engagement rate ${er}`,
    active: (s, a, n) => `Active primary organisations: ${s} (${a} of ${n} with channels)`,
    best: "The week's best posts:",
    bestLine: (org, er) => `${org} — ER ${er}`,
    least: (name, share) => `Least covered theme: ${name} (${share})`,
    noPosts: 'No posts.',
    noData: 'Posts: no data (the channels’ posts have never been read yet).',
    postsTitle: (org, from, to) => `<b>Posts: ${org}</b>\n${from} – ${to}`,
    silentChannels: (n) => `Silent channels (no post for 14 days): ${n}`,
    silentLine: (a, d) => `• ${a}: ${d} days without a post`,
    alertSilentRegion: (r, d, c) => `⚠ Every channel of ${r} has been silent for ${d} days or more: ${c}`,
  },
};

function link(p: BestPost, lang: Language): string {
  const who = escapeHtml(orgName(p, lang));
  return p.url && /^https?:\/\//.test(p.url) ? `<a href="${escapeHtml(p.url)}">${who}</a>` : who;
}

/** The summary's information-work lines (Telegram HTML). */
export function renderInfoWork(s: InfoWorkSummary, lang: Language): string[] {
  const w = WORDS[lang];
  const lines = ['', w.title];
  if (s.row.posts === null) lines.push(w.noData);
  else if (s.row.posts === 0) lines.push(w.noPosts);
  else lines.push(w.posts(formatNumber(s.row.posts, lang), formatNumber(s.row.posts_per_week, lang, 1), formatPercent(s.row.engagement_rate, lang)));
  if (s.active.orgs_with_accounts > 0) lines.push(w.active(formatPercent(s.active.active_share, lang), formatNumber(s.active.active_orgs, lang), formatNumber(s.active.orgs_with_accounts, lang)));
  if (s.best.length) {
    lines.push(w.best);
    s.best.forEach((p, i) => lines.push(`${i + 1}. ${w.bestLine(link(p, lang), formatPercent(p.engagement_rate, lang))}`));
  }
  if (s.least) lines.push(w.least(escapeHtml(s.least.name[lang] ?? s.least.name.ru), formatPercent(s.least.share, lang)));
  return lines;
}

/** `/posts [org]`: the last 7 days' posts of the org's subtree, best posts and silent channels. */
export function postsAnswer(db: Db, config: AppConfig, org: OrgRow, today: string, lang: Language): string {
  const from = addDays(today, -6);
  const s = infoWorkSummary(db, config, org, from, today);
  const w = WORDS[lang];
  const lines = [w.postsTitle(escapeHtml(orgName(org, lang)), formatDate(from, lang), formatDate(today, lang)), ...renderInfoWork(s, lang).slice(2)];
  const silent = accountStates(db, 'social', toEpochDay(today)).filter((a) => a.silence === 'silent');
  const parent = new Map(allOrgs(db).map((o) => [o.id, o.parent_id]));
  const under = (id: number) => {
    for (let o: number | null | undefined = id; o != null; o = parent.get(o)) if (o === org.id) return true;
    return false;
  };
  const mine = silent.filter((a) => under(a.org_id));
  lines.push('', w.silentChannels(formatNumber(mine.length, lang)));
  const bySilence = mine.sort((a, b) => (b.days_since_last_post ?? 1e9) - (a.days_since_last_post ?? 1e9)).slice(0, 10);
  for (const a of bySilence) lines.push(w.silentLine(escapeHtml(a.title ?? a.platform_id), a.days_since_last_post === null ? '∞' : formatNumber(a.days_since_last_post, lang)));
  return lines.join('\n');
}

/**
 * Regions whose every tracked social channel in the subtree has been silent (known silent, not unknown) for 14
 * days on `today`: one alert per region and silence episode (the key carries the latest post's date).
 */
export function silentRegions(db: Db, config: AppConfig, today: string, lang: Language): { key: string; html: string }[] {
  ensureInformationWork(db, config.rubrics);
  const day = toEpochDay(today);
  const states = accountStates(db, 'social', day).filter((a) => a.tracked);
  const orgs = allOrgs(db);
  const parent = new Map(orgs.map((o) => [o.id, o.parent_id]));
  const out: { key: string; html: string }[] = [];
  for (const region of orgs.filter((o) => o.level === 'region')) {
    const mine = states.filter((a) => {
      for (let o: number | null | undefined = a.org_id; o != null; o = parent.get(o)) if (o === region.id) return true;
      return false;
    });
    if (mine.length === 0 || !mine.every((a) => a.silence === 'silent')) continue;
    const last = Math.max(-1, ...mine.map((a) => a.last_post_day ?? -1));
    const days = last < 0 ? SILENCE_DAYS : day - last;
    const channels = mine.map((a) => escapeHtml(a.title ?? a.platform_id)).join(', ');
    out.push({ key: `silent-region:${region.slug}:${last < 0 ? 'never' : fromEpochDay(last)}`, html: WORDS[lang].alertSilentRegion(escapeHtml(orgName(region as OrgRow, lang)), days, channels) });
  }
  return out;
}
