// The bot's words in Russian, Kazakh and English (UX.md glossary). Every value a message interpolates is
// already formatted and HTML-escaped by the caller; catalogs only hold markup and words.
import type { Language, PlatformGroup } from '../config';
import type { TargetStatus } from '../domain/targets';

export type PeriodWord = 'week' | 'month' | 'quarter' | 'year';

export interface Catalog {
  platform: Record<PlatformGroup, string>;
  status: Record<TargetStatus, string>;
  failureKind: Record<string, string>;
  period: Record<PeriodWord, string>;
  /** Words users may type after /top, mapped to a period. */
  periodWords: Record<string, PeriodWord>;
  languageName: string;

  summaryTitle(week: string): string;
  dates(from: string, to: string): string;
  audienceAsOf(date: string): string;
  audienceLine(platform: string, audience: string, delta: string, percent: string): string;
  noData: string;
  topByPercent: string;
  topPer1000: string;
  per1000(value: string): string;
  shrank: string;
  noneShrank: string;
  targets: string;
  targetCounts(parts: string[]): string;
  noTargets: string;
  mostBehind: string;
  targetLine(org: string, platform: string, current: string, target: string, progress: string, due: string): string;
  requiredPerDay(needed: string, perDay: string | null): string;
  /** an achieved target: nothing more is needed */
  done: string;
  connected(n: string): string;
  forecast(value: string): string;
  problems: string;
  noProblems: string;
  lastReading(date: string): string;
  neverRead: string;
  more(n: number): string;

  help: string;
  start: string;
  unknownCommand(command: string): string;
  unknownOrg(query: string): string;
  didYouMean: string;
  badPeriod(value: string): string;
  statsTitle(org: string, from: string, to: string): string;
  topTitle(period: string, from: string, to: string): string;
  topEmpty: string;
  targetsTitle(org: string, date: string): string;
  languageSet: string;
  badLanguage: string;
  error: string;

  alertRunFailed(when: string, failed: number, total: number): string;
  alertStale(account: string, date: string): string;
  /** An Instagram Login token expiring soon (the service could not refresh it). */
  alertTokenExpiry(account: string, date: string, days: number): string;
  alertSuspicious(kind: 'spike' | 'drop', account: string, date: string, before: string, after: string, delta: string): string;
  alertTarget(from: string, to: string, org: string, platform: string, current: string, target: string, due: string, forecast: string): string;
}

const FAILURE_KINDS_RU = {
  rate_limit: 'лимит запросов',
  invalid_token: 'недействительный токен',
  permission: 'нет доступа',
  not_found: 'канал не найден',
  transient: 'временный сбой',
  malformed: 'некорректный ответ',
  timeout: 'нет ответа',
  other: 'ошибка',
};

const ru: Catalog = {
  platform: { facebook: 'Facebook', instagram: 'Instagram', telegram: 'Telegram', social: 'Соцсети всего', newspaper: 'Подписка на газеты' },
  status: { achieved: 'достигнуто', on_track: 'в графике', at_risk: 'под угрозой', behind: 'отстаёт', missed: 'не достигнуто', no_data: 'нет данных' },
  failureKind: FAILURE_KINDS_RU,
  period: { week: 'неделя', month: 'месяц', quarter: 'квартал', year: 'год' },
  periodWords: { неделя: 'week', месяц: 'month', квартал: 'quarter', год: 'year' },
  languageName: 'русский',

  summaryTitle: (week) => `📊 <b>Итоги недели: ${week}</b>`,
  dates: (from, to) => `${from} – ${to}`,
  audienceAsOf: (date) => `<b>Аудитория</b> (данные на ${date})`,
  audienceLine: (p, a, d, pc) => `${p}: <b>${a}</b> (${d}, ${pc})`,
  noData: 'нет данных',
  topByPercent: '<b>Лидеры по темпу роста</b>',
  topPer1000: '<b>Лидеры по приросту на 1 000 членов профсоюза</b>',
  per1000: (v) => `${v} на 1 000 членов`,
  shrank: '<b>Аудитория сократилась</b>',
  noneShrank: 'Ни у одной организации аудитория не сократилась.',
  targets: '<b>Цели</b>',
  targetCounts: (parts) => parts.join(' · '),
  noTargets: 'Целей пока нет.',
  mostBehind: '<b>Больше всего отстают</b>',
  targetLine: (o, p, c, t, pr, due) => `${o} · ${p}: ${c} из ${t} · прирост ${pr} от плана, срок ${due}`,
  requiredPerDay: (n, v) => (v === null ? `нужно ещё ${n}` : `нужно ещё ${n}, по ${v} в день`),
  done: 'выполнено',
  connected: (n) => `в т. ч. ${n} за счёт подключённых каналов`,
  forecast: (v) => `прогноз: ${v}`,
  problems: '<b>Проблемы со сбором данных</b>',
  noProblems: 'Проблем со сбором данных нет.',
  lastReading: (d) => `последние данные: ${d}`,
  neverRead: 'данных ещё не было',
  more: (n) => `…и ещё ${n}`,

  help: [
    'Я публикую еженедельные итоги роста аудитории профсоюза и отвечаю на команды:',
    '/stats [организация] — аудитория и прирост за 7 дней',
    '/top [неделя|месяц|квартал|год] — рейтинг организаций по темпу роста',
    '/targets [организация] — цели и их выполнение',
    '/posts [организация] — публикации за 7 дней, лучшие посты и молчащие каналы',
    '/lang ru|kk|en — язык ответов в этом чате',
    '/help — эта справка',
    'Организацию можно указать кодом (например, <code>pavlodar</code>) или названием.',
  ].join('\n'),
  start: 'Здравствуйте!',
  unknownCommand: (c) => `Неизвестная команда ${c}.`,
  unknownOrg: (q) => `Организация «${q}» не найдена.`,
  didYouMean: 'Возможно, вы имели в виду:',
  badPeriod: (v) => `Непонятный период «${v}». Укажите неделя, месяц, квартал или год.`,
  statsTitle: (o, f, t) => `<b>${o}</b>\nПрирост за 7 дней: ${f} – ${t}`,
  topTitle: (p, f, t) => `🏆 <b>Рейтинг по темпу роста</b> (${p}: ${f} – ${t})`,
  topEmpty: 'Для этого периода пока нет данных.',
  targetsTitle: (o, d) => `🎯 <b>Цели: ${o}</b>\nданные на ${d}`,
  languageSet: 'Язык ответов в этом чате: русский.',
  badLanguage: 'Укажите язык: /lang ru, /lang kk или /lang en.',
  error: 'Не удалось ответить: внутренняя ошибка. Попробуйте позже.',

  alertRunFailed: (w, f, t) => `⚠️ <b>Сбор данных ${w}</b>: ошибки у ${f} из ${t} каналов`,
  alertStale: (a, d) => `⏳ <b>Нет новых данных больше 3 дней</b>: ${a}, последние данные: ${d}`,
  alertTokenExpiry: (a, d, n) => `🔑 <b>Токен Instagram скоро истечёт</b>: ${a}, до ${d} (дней: ${n}). Обновите токен (README, «Tokens»), иначе сбор этого аккаунта остановится.`,
  alertSuspicious: (k, a, d, b, af, dl) => `🔎 <b>${k === 'spike' ? 'Подозрительный рост' : 'Подозрительное снижение'}</b>: ${a}, ${d}: ${b} → ${af} (${dl})`,
  alertTarget: (f, t, o, p, c, tg, due, fc) => `🎯 <b>Цель перешла из «${f}» в «${t}»</b>: ${o} · ${p}: ${c} из ${tg}, срок ${due}, прогноз: ${fc}`,
};

const kk: Catalog = {
  platform: { facebook: 'Facebook', instagram: 'Instagram', telegram: 'Telegram', social: 'Әлеуметтік желілер барлығы', newspaper: 'Газеттерге жазылу' },
  status: { achieved: 'орындалды', on_track: 'кесте бойынша', at_risk: 'қауіп бар', behind: 'артта қалуда', missed: 'орындалмады', no_data: 'деректер жоқ' },
  failureKind: {
    rate_limit: 'сұраныстар шегі',
    invalid_token: 'жарамсыз токен',
    permission: 'рұқсат жоқ',
    not_found: 'арна табылмады',
    transient: 'уақытша ақау',
    malformed: 'жауап қате',
    timeout: 'жауап жоқ',
    other: 'қате',
  },
  period: { week: 'апта', month: 'ай', quarter: 'тоқсан', year: 'жыл' },
  periodWords: { апта: 'week', ай: 'month', тоқсан: 'quarter', жыл: 'year' },
  languageName: 'қазақша',

  summaryTitle: (week) => `📊 <b>Апта қорытындысы: ${week}</b>`,
  dates: (from, to) => `${from} – ${to}`,
  audienceAsOf: (date) => `<b>Аудитория</b> (${date} жағдай бойынша)`,
  audienceLine: (p, a, d, pc) => `${p}: <b>${a}</b> (${d}, ${pc})`,
  noData: 'деректер жоқ',
  topByPercent: '<b>Өсу қарқыны бойынша үздіктер</b>',
  topPer1000: '<b>Кәсіподақтың 1 000 мүшесіне шаққандағы өсім бойынша үздіктер</b>',
  per1000: (v) => `1 000 мүшеге ${v}`,
  shrank: '<b>Аудиториясы азайған ұйымдар</b>',
  noneShrank: 'Аудиториясы азайған ұйым жоқ.',
  targets: '<b>Мақсаттар</b>',
  targetCounts: (parts) => parts.join(' · '),
  noTargets: 'Әзірге мақсаттар жоқ.',
  mostBehind: '<b>Ең көп артта қалғандар</b>',
  targetLine: (o, p, c, t, pr, due) => `${o} · ${p}: ${t} ішінен ${c} · өсім жоспардың ${pr}, мерзімі ${due}`,
  requiredPerDay: (n, v) => (v === null ? `тағы ${n} қажет` : `тағы ${n} қажет, күніне ${v}`),
  done: 'орындалды',
  connected: (n) => `оның ішінде ${n} қосылған арналар есебінен`,
  forecast: (v) => `болжам: ${v}`,
  problems: '<b>Деректер жинаудағы ақаулар</b>',
  noProblems: 'Деректер жинауда ақау жоқ.',
  lastReading: (d) => `соңғы деректер: ${d}`,
  neverRead: 'деректер әлі болған жоқ',
  more: (n) => `…тағы ${n}`,

  help: [
    'Мен кәсіподақ аудиториясы өсімінің апталық қорытындысын жариялаймын және мына командаларға жауап беремін:',
    '/stats [ұйым] — аудитория және соңғы 7 күндегі өсім',
    '/top [апта|ай|тоқсан|жыл] — ұйымдардың өсу қарқыны бойынша рейтингі',
    '/targets [ұйым] — мақсаттар және олардың орындалуы',
    '/posts [ұйым] — 7 күндегі жарияланымдар, үздік посттар және үнсіз арналар',
    '/lang ru|kk|en — осы чаттағы жауап тілі',
    '/help — осы анықтама',
    'Ұйымды кодымен (мысалы, <code>pavlodar</code>) немесе атауымен көрсетуге болады.',
  ].join('\n'),
  start: 'Сәлеметсіз бе!',
  unknownCommand: (c) => `${c} — белгісіз команда.`,
  unknownOrg: (q) => `«${q}» ұйымы табылмады.`,
  didYouMean: 'Мүмкін, мыналардың бірін іздеген боларсыз:',
  badPeriod: (v) => `«${v}» кезеңі түсініксіз. Апта, ай, тоқсан немесе жыл деп көрсетіңіз.`,
  statsTitle: (o, f, t) => `<b>${o}</b>\nСоңғы 7 күндегі өсім: ${f} – ${t}`,
  topTitle: (p, f, t) => `🏆 <b>Өсу қарқыны бойынша рейтинг</b> (${p}: ${f} – ${t})`,
  topEmpty: 'Бұл кезең бойынша әзірге деректер жоқ.',
  targetsTitle: (o, d) => `🎯 <b>Мақсаттар: ${o}</b>\n${d} жағдай бойынша`,
  languageSet: 'Осы чаттағы жауап тілі: қазақша.',
  badLanguage: 'Тілді көрсетіңіз: /lang ru, /lang kk немесе /lang en.',
  error: 'Жауап беру мүмкін болмады: ішкі қате. Кейінірек қайталап көріңіз.',

  alertRunFailed: (w, f, t) => `⚠️ <b>Деректер жинау ${w}</b>: ${t} арнаның ${f} арнасынан деректер алынбады`,
  alertStale: (a, d) => `⏳ <b>3 күннен астам жаңа деректер жоқ</b>: ${a}, соңғы деректер: ${d}`,
  alertTokenExpiry: (a, d, n) => `🔑 <b>Instagram токенінің мерзімі жақында бітеді</b>: ${a}, ${d} дейін (күн: ${n}). Токенді жаңартыңыз (README, «Tokens»), әйтпесе бұл аккаунттың деректері жиналмайды.`,
  alertSuspicious: (k, a, d, b, af, dl) => `🔎 <b>${k === 'spike' ? 'Күдікті өсім' : 'Күдікті төмендеу'}</b>: ${a}, ${d}: ${b} → ${af} (${dl})`,
  alertTarget: (f, t, o, p, c, tg, due, fc) => `🎯 <b>Мақсат күйі «${f}» күйінен «${t}» күйіне өзгерді</b>: ${o} · ${p}: ${c} / ${tg}, мерзімі ${due}, болжам: ${fc}`,
};

const en: Catalog = {
  platform: { facebook: 'Facebook', instagram: 'Instagram', telegram: 'Telegram', social: 'Social total', newspaper: 'Newspaper subscriptions' },
  status: { achieved: 'achieved', on_track: 'on track', at_risk: 'at risk', behind: 'behind', missed: 'missed', no_data: 'no data' },
  failureKind: {
    rate_limit: 'rate limit',
    invalid_token: 'invalid token',
    permission: 'no permission',
    not_found: 'channel not found',
    transient: 'temporary failure',
    malformed: 'malformed response',
    timeout: 'timeout',
    other: 'error',
  },
  period: { week: 'week', month: 'month', quarter: 'quarter', year: 'year' },
  periodWords: {},
  languageName: 'English',

  summaryTitle: (week) => `📊 <b>Weekly summary: ${week}</b>`,
  dates: (from, to) => `${from} – ${to}`,
  audienceAsOf: (date) => `<b>Audience</b> (as of ${date})`,
  audienceLine: (p, a, d, pc) => `${p}: <b>${a}</b> (${d}, ${pc})`,
  noData: 'no data',
  topByPercent: '<b>Top by growth %</b>',
  topPer1000: '<b>Top by net growth per 1,000 members</b>',
  per1000: (v) => `${v} per 1,000 members`,
  shrank: '<b>Audience shrank</b>',
  noneShrank: 'No organisation lost audience.',
  targets: '<b>Targets</b>',
  targetCounts: (parts) => parts.join(' · '),
  noTargets: 'No targets yet.',
  mostBehind: '<b>Most behind</b>',
  targetLine: (o, p, c, t, pr, due) => `${o} · ${p}: ${c} of ${t} · growth ${pr} of the plan, due ${due}`,
  requiredPerDay: (n, v) => (v === null ? `${n} still needed` : `${n} still needed, ${v} a day`),
  done: 'done',
  connected: (n) => `incl. ${n} from newly connected channels`,
  forecast: (v) => `forecast: ${v}`,
  problems: '<b>Collection problems</b>',
  noProblems: 'No collection problems.',
  lastReading: (d) => `last reading: ${d}`,
  neverRead: 'never read',
  more: (n) => `…and ${n} more`,

  help: [
    'I post the weekly summary of the union\'s audience growth and answer these commands:',
    '/stats [organisation] — audience and net growth over 7 days',
    '/top [week|month|quarter|year] — organisations ranked by growth %',
    '/targets [organisation] — targets and progress',
    '/posts [organisation] — posts of the last 7 days, best posts and silent channels',
    '/lang ru|kk|en — the language of replies in this chat',
    '/help — this help',
    'Name an organisation by its code (e.g. <code>pavlodar</code>) or its name.',
  ].join('\n'),
  start: 'Hello!',
  unknownCommand: (c) => `Unknown command ${c}.`,
  unknownOrg: (q) => `No organisation “${q}”.`,
  didYouMean: 'Did you mean:',
  badPeriod: (v) => `Unknown period “${v}”. Use week, month, quarter or year.`,
  statsTitle: (o, f, t) => `<b>${o}</b>\nNet growth over 7 days: ${f} – ${t}`,
  topTitle: (p, f, t) => `🏆 <b>Ranking by growth %</b> (${p}: ${f} – ${t})`,
  topEmpty: 'No data for this period yet.',
  targetsTitle: (o, d) => `🎯 <b>Targets: ${o}</b>\nas of ${d}`,
  languageSet: 'Replies in this chat are now in English.',
  badLanguage: 'Choose a language: /lang ru, /lang kk or /lang en.',
  error: 'Could not answer: internal error. Please try again later.',

  alertRunFailed: (w, f, t) => `⚠️ <b>Collection run ${w}</b>: ${f} of ${t} channels failed`,
  alertStale: (a, d) => `⏳ <b>No new data for over 3 days</b>: ${a}, last reading: ${d}`,
  alertTokenExpiry: (a, d, n) => `🔑 <b>Instagram token expires soon</b>: ${a}, on ${d} (${n} days left). Renew it (README, "Tokens") or this account stops being collected.`,
  alertSuspicious: (k, a, d, b, af, dl) => `🔎 <b>${k === 'spike' ? 'Suspicious growth' : 'Suspicious drop'}</b>: ${a}, ${d}: ${b} → ${af} (${dl})`,
  alertTarget: (f, t, o, p, c, tg, due, fc) => `🎯 <b>Target moved from ${f} to ${t}</b>: ${o} · ${p}: ${c} of ${tg}, due ${due}, forecast: ${fc}`,
};

export const CATALOGS: Record<Language, Catalog> = { ru, kk, en };

export function messages(lang: Language): Catalog {
  return CATALOGS[lang];
}

/** Every word /top understands in any language (so a Kazakh chat may still type `month`). */
export function parsePeriodWord(word: string): PeriodWord | undefined {
  const w = word.trim().toLowerCase();
  if (w === 'week' || w === 'month' || w === 'quarter' || w === 'year') return w;
  for (const c of Object.values(CATALOGS)) if (c.periodWords[w]) return c.periodWords[w];
  return undefined;
}
