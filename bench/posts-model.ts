// Posts for the scale model (DESIGN §10, §11): ~5.5 M posts over the 3 years (BENCH_SCALE shrinks them with
// the accounts), about one a day per channel, more on the council's and regions' channels, Russian and Kazakh
// texts of realistic length about the union's themes (so every rubric matches some), counters, some deleted.
// Rows go straight into `posts` (the triggers still queue what compute must do); then the figures, the
// classification, the rubric counts and the post scores are built the way `compute` builds them.
import type { Db } from '../db';
import { END, rand, SCALE, START, type Acc } from './scale-model';

export const POSTS_TARGET = Math.round(5_500_000 * SCALE);

const OPENINGS = [
  'Сегодня в школе № {n} прошло собрание первичной профсоюзной организации.',
  'Бүгін № {n} мектепте бастауыш кәсіподақ ұйымының жиналысы өтті.',
  'В колледже состоялась встреча председателя профкома с коллективом.',
  'Областной комитет профсоюза подвёл итоги работы за {n} месяцев.',
  'Облыстық кәсіподақ комитеті {n} айдың қорытындысын шығарды.',
  'Поздравляем коллег с профессиональным праздником!',
  'На базе гимназии № {n} прошёл обучающий семинар для профактива.',
];
const BODIES = [
  'Обсудили выполнение коллективного договора и вопросы социального партнёрства с администрацией.',
  'Ұжымдық шарттың орындалуы мен әлеуметтік әріптестік мәселелері талқыланды.',
  'Правовой инспектор ответил на вопросы педагогов о правовой защите и трудовых спорах.',
  'Мұғалімдердің құқықтарын қорғау мәселесі бойынша заңгер кеңес берді.',
  'Проверили соблюдение требований охраны труда в кабинетах химии и физики.',
  'Еңбекті қорғау және қауіпсіздік техникасы бойынша тексеру жүргізілді.',
  'Молодые педагоги рассказали о первом годе работы, наставники поделились опытом.',
  'Жас мұғалімдер форумына {n} маман қатысты.',
  'Речь шла об индексации заработной платы, доплатах и материальной помощи членам профсоюза.',
  'Жалақы мен әлеуметтік кепілдіктер туралы түсіндірме жұмысы жүргізілді.',
  'Говорили о мотивации профсоюзного членства: за год в профсоюз вступили {n} человек.',
  'Кәсіподақ мүшесі болудың артықшылықтары туралы әңгіме болды.',
  'Подведены итоги конкурса «Лучший профорг» и спартакиады среди работников образования.',
  'Облыстық байқаудың жеңімпаздары марапатталды.',
  'Благодарим всех коллег за активное участие и поддержку.',
  'Фотографии с мероприятия — в нашем альбоме.',
];
const TAGS = ['', '', ' #профсоюз', ' #охранатруда', ' #правоваязащита', ' #жасмұғалім', ' #коллективныйдоговор', ' #кәсіподақ'];

function text(): string {
  const n = String(1 + Math.floor(rand() * 90));
  const parts = [OPENINGS[Math.floor(rand() * OPENINGS.length)]];
  const k = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < k; i++) parts.push(BODIES[Math.floor(rand() * BODIES.length)]);
  return (parts.join(' ') + TAGS[Math.floor(rand() * TAGS.length)]).replace(/\{n\}/g, n);
}

/** Inserts the posts of every social account from its first day to END (or its closing); returns the count. */
export function generatePosts(db: Db, accounts: readonly Acc[]): number {
  const social = accounts.filter((a) => a.platform !== 'newspaper');
  const weight = (a: Acc) => (a.id <= 3 ? 6 : a.audience > 1000 ? 2 : 1);
  const dayWeight = social.reduce((s, a) => s + weight(a) * ((a.closed ?? END + 1) - a.first), 0);
  const perDayUnit = POSTS_TARGET / dayWeight;
  const ins = db.prepare(
    `INSERT INTO posts (account_id, post_id, published_at, day, kind, forwarded, text, url, reactions, comments, shares, views, views_approximate, source, read_at, deleted_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const kinds = ['text', 'photo', 'photo', 'album', 'video', 'link'];
  let n = 0;
  for (const a of social) {
    const p = weight(a) * perDayUnit;
    const last = a.closed === null ? END : a.closed - 1;
    let seq = 0;
    for (let d = Math.max(a.first, START); d <= last; d++) {
      // a whole number of posts a day around p (Poisson-like by repeated trials)
      let k = Math.floor(p);
      if (rand() < p - k) k++;
      for (let j = 0; j < k; j++) {
        seq++;
        const aud = Math.max(10, a.audience);
        const reactions = Math.floor(rand() * aud * 0.05);
        const views = a.platform === 'facebook' ? null : Math.floor(aud * (0.2 + rand() * 0.8));
        const published = d * 86_400_000 + (3 + Math.floor(rand() * 12)) * 3_600_000 - 5 * 3_600_000;
        ins.run(
          a.id,
          a.platform === 'facebook' ? `${100_000_000_000_000 + a.id}_${seq}` : String(seq),
          published,
          d,
          kinds[Math.floor(rand() * kinds.length)],
          text(),
          a.platform === 'telegram' ? `https://t.me/telegram-${a.id}/${seq}` : `https://example.org/${a.platform}/${a.id}/${seq}`,
          reactions,
          Math.floor(reactions * 0.1),
          a.platform === 'instagram' ? null : Math.floor(reactions * 0.05),
          views,
          a.platform === 'telegram' ? 1 : 0,
          a.platform === 'telegram' ? 1 : 0,
          published + 86_400_000,
          rand() < 0.003 ? published + 3_600_000 : null,
        );
        n++;
      }
    }
  }
  // every social channel's posts were read on the last three days (silence is known)
  const read = db.prepare('INSERT INTO post_read_days (account_id, chunk, bits) VALUES (?, ?, ?) ON CONFLICT (account_id, chunk) DO UPDATE SET bits = bits | excluded.bits');
  for (const a of social) for (let d = END - 2; d <= END; d++) read.run(a.id, d >> 5, 2 ** (d - (d >> 5) * 32) | 0);
  return n;
}
