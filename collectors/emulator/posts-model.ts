// Deterministic publications for the emulator (issue 14): what each Facebook Page, Instagram account and
// Telegram channel has published, as a function of (seed, platform, account id, day), with counters that grow
// with a post's age and its account's audience. Texts are realistic Russian and Kazakh posts about the union's
// themes (social partnership, collective agreements, legal protection, labour safety, young teachers, pay,
// membership, events), so the monitoring pages and rubric matching have something true-looking to show.
import { hash32 } from './model';

const DAY_MS = 86_400_000;
/** The first day with posts: 2024-01-01 (two years and more of history before the demo's today). */
export const POSTS_DAY0 = Math.round(Date.UTC(2024, 0, 1) / DAY_MS);
/** Telegram message ids: 8 per day (posts, album items, service messages), id 1 = "Channel created". */
export const TG_SLOTS_PER_DAY = 8;

export type ModelPlatform = 'facebook' | 'instagram' | 'telegram';
export type ModelKind = 'text' | 'photo' | 'video' | 'album' | 'link';

export interface ModelPost {
  platform: ModelPlatform;
  /** The account as the API names it: Page id, IG user id, channel username (lower case, no @). */
  account: string;
  day: number;
  /** Index of the post within its day. */
  k: number;
  publishedAt: number;
  kind: ModelKind;
  /** Album: its items (Telegram: consecutive message ids). */
  items: number;
  text: string;
  lang: 'ru' | 'kk';
  forwarded: boolean;
  /** Telegram: the message id (an album: its first item's). */
  messageId: number;
  /** Graph id: `{page}_{post}` on Facebook, a media id on Instagram; Telegram: the message id. */
  id: string;
  /** When it disappears (deleted by its author), if ever. */
  deletedAt: number | null;
}

/** A Telegram service message ("Channel created", "pinned «…»"): a block in the preview, not a post. */
export interface ModelServiceMessage {
  messageId: number;
  at: number;
  text: string;
}

const CITIES_RU = ['Павлодара', 'Караганды', 'Шымкента', 'Актобе', 'Костаная', 'Семея', 'Атырау', 'Кызылорды', 'Талдыкоргана', 'Петропавловска', 'Уральска', 'Туркестана'];
const CITIES_KK = ['Павлодар', 'Қарағанды', 'Шымкент', 'Ақтөбе', 'Қостанай', 'Семей', 'Атырау', 'Қызылорда', 'Талдықорған', 'Петропавл', 'Орал', 'Түркістан'];
const SCHOOLS = ['№ 12', '№ 7', '№ 45', '№ 3', '№ 28', '№ 61', 'имени Абая', '№ 19'];

type Tpl = (n: number, city: string, school: string) => string;

const RU: Tpl[] = [
  (n, c, s) => `В школе ${s} города ${c} подписан коллективный договор на 2026–2028 годы. В нём — доплаты молодым специалистам, оздоровление членов профсоюза и ${n} дополнительных дней отпуска по семейным обстоятельствам. #коллективныйдоговор #социальноепартнерство`,
  (n, c) => `Заседание отраслевой комиссии по социальному партнёрству в ${c}: обсудили выполнение отраслевого соглашения, нагрузку педагогов и выплату надбавок. Профсоюз внёс ${n} предложений, все приняты в работу. #социальноепартнерство`,
  (n) => `Правовая инспекция профсоюза за квартал провела ${n} проверок соблюдения трудового законодательства в организациях образования. Восстановлены права ${n * 3} работников, возвращено более ${n * 120} тысяч тенге. #правоваязащита`,
  (n, c) => `Юрист обкома профсоюза ведёт приём членов профсоюза ${c} каждый вторник. Консультации бесплатные: трудовые договоры, аттестация, отпуска, пенсионные вопросы. За месяц обратились ${n} человек. #правоваязащита #юридическаяпомощь`,
  (n, c, s) => `Технические инспекторы труда проверили условия работы в школе ${s} (${c}): освещённость кабинетов, вентиляция, пожарная безопасность. Выдано ${n} представлений об устранении нарушений. #охранатруда`,
  (n) => `28 апреля — Всемирный день охраны труда. В организациях образования прошли ${n} семинаров для уполномоченных по охране труда. Безопасное рабочее место — право каждого педагога! #охранатруда`,
  (n, c) => `Совет молодых педагогов ${c} провёл форум «Жас маман»: ${n} молодых учителей обсудили наставничество, жильё и профессиональный рост. Профсоюз рядом с молодыми специалистами! #молодыепедагоги`,
  (n) => `Стартовал конкурс «Лучший молодой педагог — член профсоюза». Заявки принимаются до конца месяца, победителей ждут ${n} премий и путёвки. #молодыепедагоги #конкурс`,
  (n) => `О повышении заработной платы педагогов: профсоюз добивается сохранения надбавок за квалификацию и классное руководство. Разъяснения по начислению — в карточках. Вопросы задавайте в комментариях (уже ${n}). #заработнаяплата`,
  (n) => `Профсоюз добился перерасчёта оплаты труда ${n} работникам, которым неверно начислили доплату за проверку тетрадей. Проверьте свои расчётные листы! #заработнаяплата #правоваязащита`,
  (n, c, s) => `Первичная профсоюзная организация школы ${s} (${c}) приняла в свои ряды ${n} новых членов. Вместе мы сильнее! #членствовпрофсоюзе #первичка`,
  (n) => `Почему стоит быть членом профсоюза? Бесплатная юридическая помощь, защита при аттестации, материальная помощь, оздоровление. В этом году материальную помощь получили ${n} человек. #членствовпрофсоюзе`,
  (n, c) => `Спартакиада работников образования ${c}: ${n} команд, волейбол, настольный теннис и шахматы. Поздравляем победителей! #мероприятия #спорт`,
  (n, c) => `Торжественное собрание ко Дню учителя в ${c}: награждены ${n} педагогов-ветеранов, почётные грамоты профсоюза вручены лучшим председателям первичных организаций. #деньучителя #мероприятия`,
  (n, c) => `Пленум областного комитета профсоюза: отчёт о работе за полугодие, итоги выполнения коллективных договоров, план на следующий период. Присутствовали ${n} делегатов из ${c} и районов. #пленум`,
  (n) => `Семинар для председателей первичных организаций: информационная работа, ведение страниц в соцсетях, учёт членов профсоюза. Участвовали ${n} председателей. #первичка #обучение`,
];

const KK: Tpl[] = [
  (n, c, s) => `${c} қаласындағы ${s} мектепте 2026–2028 жылдарға арналған ұжымдық шартқа қол қойылды. Жас мамандарға үстемеақы, кәсіподақ мүшелерін сауықтыру және ${n} күн қосымша демалыс қарастырылған. #ұжымдықшарт #әлеуметтікәріптестік`,
  (n, c) => `${c} облысында әлеуметтік әріптестік жөніндегі салалық комиссияның отырысы өтті. Кәсіподақ ${n} ұсыныс енгізді, барлығы қабылданды. #әлеуметтікәріптестік`,
  (n) => `Кәсіподақтың құқықтық инспекциясы тоқсан ішінде ${n} тексеру жүргізді. ${n * 3} қызметкердің құқықтары қалпына келтірілді. Құқықтарын қорғау — басты міндетіміз. #құқықтыққорғау`,
  (n, c) => `Облыстық кәсіподақ заңгері ${c} қаласында әр сейсенбі сайын қабылдау жүргізеді. Кеңес тегін: еңбек шарты, аттестаттау, демалыс. Бір айда ${n} адам жүгінді. #құқықтыққорғау`,
  (n, c, s) => `Еңбекті қорғау жөніндегі техникалық инспекторлар ${c} қаласындағы ${s} мектептің еңбек жағдайын тексерді. ${n} ұсыныс берілді. #еңбектіқорғау`,
  (n) => `28 сәуір — Дүниежүзілік еңбекті қорғау күні. Білім беру ұйымдарында еңбекті қорғау жөніндегі уәкілдерге арналған ${n} семинар өтті. #еңбектіқорғау`,
  (n, c) => `${c} жас мұғалімдер кеңесі «Жас маман» форумын өткізді: ${n} жас мұғалім тәлімгерлік, тұрғын үй және кәсіби өсу мәселелерін талқылады. #жасмұғалімдер`,
  (n) => `Педагогтердің жалақысы туралы: кәсіподақ біліктілік үшін үстемеақыларды сақтауды талап етеді. ${n} қызметкерге жалақы қайта есептелді. #жалақы`,
  (n, c, s) => `${c} қаласындағы ${s} мектептің бастауыш кәсіподақ ұйымы ${n} жаңа мүшені қабылдады. Бірлікте — күш! #кәсіподақмүшелігі #бастауышұйым`,
  (n) => `Кәсіподақ мүшесі болудың артықшылықтары: тегін заң көмегі, материалдық көмек, сауықтыру. Биыл ${n} адам материалдық көмек алды. #кәсіподақмүшелігі`,
  (n, c) => `${c} білім қызметкерлерінің спартакиадасы: ${n} команда, волейбол, үстел теннисі және шахмат. Жеңімпаздарды құттықтаймыз! #іс-шаралар`,
  (n, c) => `Ұстаздар күніне арналған салтанатты жиын ${c} қаласында өтті: ${n} ардагер педагог марапатталды. #ұстазкүні #іс-шаралар`,
];

const FORWARD_RU = (n: number) => `Репост из канала центрального совета: итоги заседания Исполкома, ${n} вопросов повестки, постановления опубликованы на сайте профсоюза.`;

export interface PostsModel {
  /** Posts of one account published on UTC day `day` (oldest first), deleted ones included. */
  postsOfDay(platform: ModelPlatform, account: string, day: number): ModelPost[];
  /** Telegram service messages of a channel on a day. */
  serviceOfDay(account: string, day: number): ModelServiceMessage[];
  /** Counters of a post as of `now`, given its account's audience. */
  counters(post: ModelPost, audience: number, now: number): { reactions: number; comments: number; shares: number; views: number; paidReactions: number; emoji: [string, number][] };
}

const EMOJI = ['👍', '❤', '🔥', '👏', '🙏', '🎉'];

export function postsModel(seed: string | number, now: () => number = Date.now): PostsModel {
  const s = String(seed);
  const h = (...parts: (string | number)[]) => hash32(`${s}|posts|${parts.join('|')}`);
  const silentSince = (platform: ModelPlatform, account: string): number | null => {
    // one account in twelve stopped posting a while ago: the monitoring pages' "silent" channels
    const v = h('silent', platform, account);
    return v % 12 === 0 ? 25 + (v % 30) : null;
  };

  function postsOfDay(platform: ModelPlatform, account: string, day: number): ModelPost[] {
    if (day < POSTS_DAY0) return [];
    const acc = account.toLowerCase();
    const quiet = silentSince(platform, acc);
    if (quiet !== null && day > Math.floor(now() / DAY_MS) - quiet) return [];
    const r = h('n', platform, acc, day) % 100;
    const n = r < 35 ? 0 : r < 82 ? 1 : 2;
    const out: ModelPost[] = [];
    for (let k = 0; k < n; k++) {
      const v = h('p', platform, acc, day, k);
      const minute = 3 * 60 + (k === 0 ? v % 300 : 330 + (v % 600)); // 08:00–13:00 / 13:30–23:30 Almaty (UTC+5)
      const publishedAt = day * DAY_MS + minute * 60_000 + (v % 60) * 1000;
      const kk = (v >>> 3) % 3 === 0;
      const tpls = kk ? KK : RU;
      const num = 2 + ((v >>> 7) % 40);
      const city = (v >>> 11) % CITIES_RU.length;
      const forwarded = platform === 'telegram' && (v >>> 13) % 25 === 0;
      const text = forwarded ? FORWARD_RU(num) : tpls[(v >>> 17) % tpls.length](num, kk ? CITIES_KK[city] : CITIES_RU[city], SCHOOLS[(v >>> 21) % SCHOOLS.length]);
      const kr = (v >>> 24) % 20;
      let kind: ModelKind = kr < 3 ? 'text' : kr < 11 ? 'photo' : kr < 15 ? 'album' : kr < 18 ? 'video' : 'link';
      if (platform === 'instagram' && (kind === 'text' || kind === 'link')) kind = 'photo';
      const items = kind === 'album' ? 2 + (v % 2) : 1;
      const messageId = (day - POSTS_DAY0) * TG_SLOTS_PER_DAY + k * 3 + 2;
      const n0 = String(day - POSTS_DAY0).padStart(5, '0');
      const id =
        platform === 'facebook'
          ? `${account}_1221${n0}${String(k)}${String(h('fbid', acc) % 100000).padStart(5, '0')}`
          : platform === 'instagram'
            ? `179${String(h('igid', acc) % 100000).padStart(5, '0')}${n0}${k}`
            : String(messageId);
      const deletedAt = h('del', platform, acc, day, k) % 150 === 0 ? publishedAt + 2 * DAY_MS : null;
      out.push({ platform, account: acc, day, k, publishedAt, kind, items, text, lang: kk ? 'kk' : 'ru', forwarded, messageId, id, deletedAt });
    }
    return out;
  }

  function serviceOfDay(account: string, day: number): ModelServiceMessage[] {
    const acc = account.toLowerCase();
    if (day === POSTS_DAY0) return [{ messageId: 1, at: day * DAY_MS + 3 * 3_600_000, text: 'Channel created' }];
    if (day < POSTS_DAY0 || h('pin', acc, day) % 40 !== 0) return [];
    const pinned = postsOfDay('telegram', acc, day)[0];
    if (!pinned) return [];
    return [{ messageId: (day - POSTS_DAY0) * TG_SLOTS_PER_DAY + 7 + 2, at: pinned.publishedAt + 600_000, text: `pinned «${pinned.text.slice(0, 40)}»` }];
  }

  function counters(post: ModelPost, audience: number, now: number) {
    const v = h('c', post.platform, post.account, post.id);
    const ageH = Math.max(0, (now - post.publishedAt) / 3_600_000);
    const grown = 1 - Math.exp(-ageH / 18);
    const rate = (0.004 + (v % 40) / 1000) * (post.kind === 'video' || post.kind === 'album' ? 1.4 : 1);
    const reactions = Math.floor(audience * rate * grown);
    const comments = Math.floor(reactions * (0.02 + ((v >>> 8) % 14) / 100));
    const shares = post.platform === 'instagram' ? 0 : Math.floor(reactions * (0.03 + ((v >>> 12) % 10) / 100));
    const views = Math.floor(audience * (0.25 + ((v >>> 16) % 65) / 100) * (1 - Math.exp(-ageH / 10)));
    const paidReactions = (v >>> 20) % 9 === 0 ? 1 + ((v >>> 22) % 5) : 0;
    // Telegram reactions spread over a few emoji
    const emoji: [string, number][] = [];
    let left = reactions;
    for (let i = 0; left > 0 && i < 3; i++) {
      const part = i === 2 ? left : Math.ceil(left * (0.5 + (((v >>> (i * 3)) % 4) / 10)));
      emoji.push([EMOJI[(v + i) % EMOJI.length], part]);
      left -= part;
    }
    return { reactions, comments, shares, views, paidReactions, emoji };
  }

  return { postsOfDay, serviceOfDay, counters };
}

/** Telegram preview's view counts: exact below 1,000, then "4.85K" / "12.3K" / "436K" / "3.1M" (about 3 significant digits). */
export function formatPreviewCount(n: number): string {
  if (n < 1000) return String(n);
  const [div, suffix] = n < 1_000_000 ? [1000, 'K'] : [1_000_000, 'M'];
  const x = n / div;
  const decimals = x < 10 ? 2 : x < 100 ? 1 : 0;
  const f = Math.floor(x * 10 ** decimals) / 10 ** decimals;
  return `${String(Number(f.toFixed(decimals)))}${suffix}`;
}
