// The rubric matcher of DESIGN §11: Russian and Kazakh word forms, hashtags, multi-word keywords, short
// stems, editor overrides, and the shipped default rubrics on real sentences.
import { compileRubrics, kazakhStem, stemWord, withOverrides, type RubricDefinition } from '../../src/domain/rubrics';
import { DEFAULT_RUBRICS } from '../../src/domain/default-rubrics';

const rubric = (slug: string, keywords: string[], hashtags: string[] = []): RubricDefinition => ({ slug, name: { ru: slug }, keywords, hashtags });

describe('Kazakh suffix rules', () => {
  test.each([
    ['шарттың', 'шарт'], // genitive
    ['құқықтарын', 'құқы'], // plural + possessive/accusative, then қ → ғ before a vowel
    ['еңбекті', 'еңбе'], // accusative, then к → г
    ['мұғалімдер', 'мұғалім'], // plural
    ['кәсіподақтың', 'кәсіпода'],
    ['мектептерде', 'мекте'], // plural + locative, then п → б
    ['ұйымымыз', 'ұйым'], // 1st person plural possessive
    ['қорғау', 'қорғау'], // a verbal noun is a word of its own
    ['білім', 'білім'], // never below 4 letters
    ['жалақы', 'жалақы'], // a bare -ы is not a suffix
  ])('%s → %s', (word, stem) => {
    expect(kazakhStem(word)).toBe(stem);
  });

  test('Russian words go through the Snowball Russian stemmer', () => {
    expect(stemWord('правовая')).toBe('правов');
    expect(stemWord('правовой')).toBe('правов');
    expect(stemWord('защита')).toBe('защит');
  });
});

describe('keyword matching', () => {
  const m = compileRubrics([
    rubric('legal', ['правовая защита', 'құқық қорғау']),
    rubric('partnership', ['коллективный договор', 'ұжымдық шарт', 'әлеуметтік әріптестік']),
    rubric('safety', ['охрана труда', 'еңбекті қорғау']),
    rubric('youth', ['жас мұғалім', 'молодой педагог']),
    rubric('short', ['акция', 'іс шара']),
  ]);

  test.each([
    // Russian forms: each word of the post begins with the keyword word's stem
    ['О правовой защите педагогов', ['legal']],
    ['Правовая защита — главное', ['legal']],
    ['Подписан коллективный договор', ['partnership']],
    ['Выполнение коллективного договора', ['partnership']],
    ['коллективных договоров школ', ['partnership']],
    ['Месячник охраны труда', ['safety']],
    ['Поздравили молодых педагогов', ['youth']],
    // Kazakh forms
    ['Ұжымдық шарттың орындалуы', ['partnership']],
    ['Мұғалімдердің құқықтарын қорғау', ['legal']],
    ['Әлеуметтік әріптестік туралы', ['partnership']],
    ['әлеуметтік әріптестікті дамыту', ['partnership']],
    ['Еңбекті қорғау айлығы', ['safety']],
    ['Еңбекті қорғауға арналған семинар', ['safety']],
    ['Жас мұғалімдер форумы', ['youth']],
    ['жас мұғалімдерге көмек', ['youth']],
    // the words must be in a row, in the keyword's order
    ['правовая и социальная защита', []],
    ['защита правовая', []],
    ['договор коллективный', []],
    // ё is е, case does not matter
    ['ОХРАНА ТРУДА', ['safety']],
    ['Молодой педагог', ['youth']],
    // a stem shorter than 4 letters matches only the word itself
    ['Акция прошла', ['short']],
    ['Акции прошли', []],
    ['Іс-шара өтті', ['short']],
    ['Іс-шаралар жоспары', ['short']], // «шара» is a Kazakh stem of 4 letters: шаралар begins with it
    ['жасөспірім мұғалім', []], // «жас» only as a whole word
    // several rubrics, or none
    ['Охрана труда и правовая защита', ['legal', 'safety']],
    ['Поздравляем с праздником!', []],
    ['', []],
  ])('%s', (text, expected) => {
    expect(m.match(text)).toEqual(expected);
  });
});

describe('hashtags', () => {
  const m = compileRubrics([rubric('safety', [], ['#охранатруда', 'еңбекқорғау']), rubric('pay', [], ['#зарплата'])]);
  test.each([
    ['Итоги месяца #ОхранаТруда', ['safety']],
    ['#еңбекқорғау', ['safety']],
    ['#охрана', []], // a hashtag matches only the same whole hashtag
    ['#охранатрудавшколе', []],
    ['#зарплата #охранатруда', ['pay', 'safety']],
    ['охранатруда без решётки', []],
  ])('%s', (text, expected) => {
    expect(m.match(text)).toEqual(expected);
  });

  test('the words of a hashtag count as words for keywords', () => {
    expect(compileRubrics([rubric('safety', ['охрана труда'])]).match('#охрана_труда')).toEqual(['safety']);
  });
});

describe('bad rubric definitions', () => {
  test('a keyword with no word in it is refused, naming the rubric', () => {
    expect(() => compileRubrics([rubric('x', ['  —  '])])).toThrow(/rubric x: keyword/);
  });
  test('a hashtag with spaces is refused', () => {
    expect(() => compileRubrics([rubric('x', [], ['#охрана труда'])])).toThrow(/rubric x: hashtag/);
  });
});

describe('editor overrides win over matching', () => {
  test.each([
    [['legal'], [{ rubric: 'safety', action: 'add' as const }], ['legal', 'safety']],
    [['legal', 'safety'], [{ rubric: 'legal', action: 'remove' as const }], ['safety']],
    [[], [{ rubric: 'legal', action: 'remove' as const }], []],
    [['youth'], [], ['youth']],
  ])('%j with %j → %j', (matched, overrides, expected) => {
    expect(withOverrides(matched, overrides)).toEqual(expected);
  });
});

describe('default rubrics on real sentences', () => {
  const m = compileRubrics(DEFAULT_RUBRICS);
  test.each([
    ['В школе-лицее № 8 подписан коллективный договор на 2026–2028 годы', ['social-partnership']],
    ['Ұжымдық шарттың орындалу барысы талқыланды', ['social-partnership']],
    ['Правовой инспектор провёл приём по вопросам правовой защиты педагогов', ['legal-protection']],
    ['Мұғалімдердің құқықтарын қорғау — басты міндет', ['legal-protection']],
    ['Еңбекті қорғау жөніндегі семинар өтті', ['events', 'labour-safety']],
    ['Месячник по охране труда в колледже', ['labour-safety']],
    ['Заседание профкома первичной профсоюзной организации', ['primary-organisations']],
    ['Бастауыш кәсіподақ ұйымының есепті жиналысы', ['primary-organisations']],
    ['Жас мұғалімдер форумы Павлодарда өтті', ['events', 'youth']],
    ['Наставничество: опытные председатели и молодые педагоги', ['youth']],
    ['Индексация заработной платы и материальная помощь', ['pay-and-guarantees']],
    ['Жалақы мен әлеуметтік кепілдіктер туралы', ['pay-and-guarantees']],
    ['Мотивация профсоюзного членства: вступайте в профсоюз!', ['membership']],
    ['Кәсіподақ мүшесі болу неге маңызды', ['membership']],
    ['Итоги областного конкурса «Лучший профорг»', ['events', 'primary-organisations']],
    ['Поздравляем с Днём учителя!', []],
  ])('%s', (text, expected) => {
    expect(m.match(text)).toEqual(expected);
  });

  test('every default rubric has a name in ru, kk and en, keywords in both languages and hashtags', () => {
    for (const r of DEFAULT_RUBRICS) {
      expect([r.slug, r.name.ru && r.name.kk && r.name.en]).toEqual([r.slug, expect.any(String)]);
      expect(r.keywords.some((k) => /[әғқңөұүһі]/.test(k))).toBe(true);
      expect(r.keywords.some((k) => !/[әғқңөұүһі]/.test(k))).toBe(true);
      expect(r.hashtags.length).toBeGreaterThan(0);
    }
    expect(DEFAULT_RUBRICS).toHaveLength(8);
  });
});
