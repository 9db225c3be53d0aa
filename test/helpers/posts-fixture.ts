// Posts for the web fixture: ~4 months of deterministic posts on every social channel, in Russian and Kazakh,
// about the union's themes (so every rubric has posts), with counters, a few deleted posts, one channel silent
// for a month, and posts read successfully on the last days (so silence is known).
import type { Db } from '../../db';
import { addDays } from '../../src/domain/dates';
import { recordPostsRead, savePosts, type AccountPosts, type PostInput } from '../../src/posts/store';

const TEXTS = [
  'Подписан коллективный договор школы-лицея на 2026–2028 годы: социальные гарантии педагогов сохранены.',
  'Правовой инспектор профсоюза провёл приём по вопросам правовой защиты учителей.',
  'Ұжымдық шарттың орындалу барысы талқыланды, әлеуметтік әріптестік нығаюда.',
  'Мұғалімдердің құқықтарын қорғау — кәсіподақтың басты міндеті.',
  'Месячник охраны труда: проверка кабинетов химии и физики.',
  'Еңбекті қорғау жөніндегі семинар өтті.',
  'Заседание профкома первичной профсоюзной организации колледжа.',
  'Жас мұғалімдер форумы өтті: тәлімгерлер тәжірибе бөлісті.',
  'Молодые педагоги района собрались на слёт молодёжного совета.',
  'Индексация заработной платы и материальная помощь членам профсоюза.',
  'Мотивация профсоюзного членства: почему стоит вступить в профсоюз.',
  'Итоги областного конкурса «Лучший профорг года».',
  'Поздравляем коллег с Днём учителя!',
  'Кәсіподақ мүшесі болу неге маңызды?',
];

function seeded(key: string): () => number {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return (h >>> 0) / 4294967296;
  };
}

/** Writes the posts; `today` is the fixture's local date. The account of `silentSlug` stops posting 30 days before. */
export function addFixturePosts(db: Db, timeZone: string, today: string, opts: { days?: number; silentSlug?: string } = {}): void {
  const days = opts.days ?? 120;
  const accounts = db
    .prepare("SELECT a.id, a.platform, a.platform_id, o.slug, o.level FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE a.platform <> 'newspaper' ORDER BY a.id")
    .all() as { id: number; platform: string; platform_id: string; slug: string; level: string }[];
  const batch: AccountPosts[] = [];
  for (const a of accounts) {
    if (a.slug === 'ulytau') continue; // never read
    const rnd = seeded(`posts-${a.platform_id}`);
    const perWeek = a.level === 'council' ? 6 : a.level === 'region' ? 3 : 1.5;
    const posts: PostInput[] = [];
    const lastDay = a.slug === opts.silentSlug ? addDays(today, -30) : today;
    for (let i = days; i >= 0; i--) {
      const date = addDays(today, -i);
      if (date > lastDay || rnd() > perWeek / 7) continue;
      const text = TEXTS[Math.floor(rnd() * TEXTS.length)];
      const reactions = Math.round(rnd() * 60);
      posts.push({
        postId: a.platform === 'facebook' ? `${a.platform_id}_${posts.length + 1}` : String(1000 + posts.length),
        publishedAt: Date.parse(`${date}T0${3 + Math.floor(rnd() * 6)}:00:00Z`),
        kind: rnd() < 0.2 ? 'album' : rnd() < 0.5 ? 'photo' : 'text',
        text,
        url: a.platform === 'telegram' ? `https://t.me/${a.platform_id.replace('@', '')}/${1000 + posts.length}` : `https://www.facebook.com/${a.platform_id}`,
        reactions,
        comments: Math.round(rnd() * 8),
        shares: a.platform === 'instagram' ? null : Math.round(rnd() * 5),
        views: a.platform === 'facebook' ? null : Math.round(200 + rnd() * 2000),
        viewsApproximate: a.platform === 'telegram',
      });
    }
    batch.push({ accountId: a.id, source: a.platform === 'telegram' ? 'preview' : 'api', readAt: Date.parse(`${today}T02:00:00Z`), posts });
  }
  savePosts(db, timeZone, batch);
  // a few deleted posts: counted nowhere
  db.prepare("UPDATE posts SET deleted_at = 1 WHERE id IN (SELECT id FROM posts WHERE id % 37 = 0)").run();
  for (const a of accounts) {
    if (a.slug === 'ulytau') continue;
    for (const d of [addDays(today, -1), today]) recordPostsRead(db, timeZone, a.id, Date.parse(`${d}T02:00:00Z`));
  }
}
