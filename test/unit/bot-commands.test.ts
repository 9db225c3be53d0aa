import type { OrgRow } from '../../db/orgs';
import { findOrg, parseCommand } from '../../src/bot/commands';
import { CATALOGS, parsePeriodWord } from '../../src/bot/messages';

const org = (id: number, slug: string, ru: string, kk: string, en: string): OrgRow => ({
  id, slug, parent_id: id === 1 ? null : 1, level: id === 1 ? 'council' : 'region', name_ru: ru, name_kk: kk, name_en: en, members: null, telegram_chat: null,
});
const ORGS = [
  org(1, 'kz', 'Казахстанский отраслевой профсоюз', 'Қазақстандық салалық кәсіподақ', 'Kazakhstan union'),
  org(2, 'pavlodar', 'Павлодарская областная организация', 'Павлодар облыстық ұйымы', 'Pavlodar regional organisation'),
  org(3, 'pavlodar-city', 'Павлодар: городская организация', 'Павлодар қалалық ұйымы', 'Pavlodar city organisation'),
  org(4, 'almaty', 'Алматы: городская организация', 'Алматы қалалық ұйымы', 'Almaty city organisation'),
  org(5, 'almaty-region', 'Алматинская областная организация', 'Алматы облыстық ұйымы', 'Almaty regional organisation'),
  org(6, 'abai', 'Абайская областная организация', 'Абай облыстық ұйымы', 'Abai regional organisation'),
];

describe('parseCommand', () => {
  test.each([
    ['/stats', { name: 'stats', args: '' }],
    ['/stats pavlodar', { name: 'stats', args: 'pavlodar' }],
    ['/STATS@audience_growth_bot  Павлодар  ', { name: 'stats', botName: 'audience_growth_bot', args: 'Павлодар' }],
    ['/top month', { name: 'top', args: 'month' }],
    ['  /help  ', { name: 'help', args: '' }],
  ])('%s', (text, expected) => {
    expect(parseCommand(text)).toEqual({ botName: undefined, ...expected });
  });

  test.each(['hello', '/', '/ stats', '/статистика', '//top', ''])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });
});

describe('findOrg', () => {
  test.each([
    ['pavlodar', 'pavlodar'],
    ['PAVLODAR-CITY', 'pavlodar-city'],
    ['Абайская областная организация', 'abai'],
    ['абай', 'abai'],
    ['Kazakhstan union', 'kz'],
  ])('%s finds %s', (query, slug) => {
    const r = findOrg(ORGS, query);
    expect('org' in r && r.org.slug).toBe(slug);
  });

  test('an ambiguous name suggests every organisation it fits', () => {
    const r = findOrg(ORGS, 'Павлодар');
    expect('suggestions' in r && r.suggestions.map((o) => o.slug)).toEqual(['pavlodar', 'pavlodar-city']);
  });

  test('a misspelt slug suggests the closest ones', () => {
    const r = findOrg(ORGS, 'pavlodr');
    expect('suggestions' in r && r.suggestions.map((o) => o.slug)[0]).toBe('pavlodar');
    const r2 = findOrg(ORGS, 'almat');
    expect('suggestions' in r2 && r2.suggestions.map((o) => o.slug)).toEqual(expect.arrayContaining(['almaty', 'almaty-region']));
  });

  test('nonsense gets no suggestions', () => {
    expect(findOrg(ORGS, 'zzzzqqq')).toEqual({ suggestions: [] });
  });
});

describe('catalogs', () => {
  test('period words are understood in every language', () => {
    expect(parsePeriodWord('месяц')).toBe('month');
    expect(parsePeriodWord('Тоқсан')).toBe('quarter');
    expect(parsePeriodWord('year')).toBe('year');
    expect(parsePeriodWord('fortnight')).toBeUndefined();
  });

  test('the Kazakh catalog uses the glossary words', () => {
    const kk = CATALOGS.kk;
    expect(kk.status).toEqual({ achieved: 'орындалды', on_track: 'кесте бойынша', at_risk: 'қауіп бар', behind: 'артта қалуда', missed: 'орындалмады', no_data: 'деректер жоқ' });
    expect(kk.topPer1000).toContain('кәсіподақтың 1 000 мүшесіне'.replace(/^к/, 'К'));
    expect(kk.audienceAsOf('01.01.2026')).toContain('01.01.2026 жағдай бойынша');
  });

  test('every catalog has the same keys', () => {
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(CATALOGS.kk)).toEqual(keys(CATALOGS.ru));
    expect(keys(CATALOGS.en)).toEqual(keys(CATALOGS.ru));
  });
});
