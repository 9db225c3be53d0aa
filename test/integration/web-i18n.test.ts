// Every page text exists in Russian, Kazakh and English, with the plural forms each language needs,
// and every key a template or route asks for is in the catalogs.
import fs from 'node:fs';
import { createServices } from '../../src/services';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOGS, translator } from '../../web/i18n';
import { startServices, webService } from '../../src/cli/commands/serve';
import { buildWebFixture } from '../helpers/web-fixture';

const WEB = path.resolve(__dirname, '../../web');
const LANGS = ['ru', 'kk', 'en'] as const;

/** Keys used literally (t('a.b')) and key families used with a suffix (t('status.' + s)). */
function usedKeys(): { literal: Set<string>; prefixes: Set<string> } {
  const files = [...fs.readdirSync(path.join(WEB, 'views')).map((f) => path.join(WEB, 'views', f)), ...['growth-data.ts', 'targets-data.ts'].map((f) => path.join(WEB, f)), ...fs.readdirSync(path.join(WEB, 'routes'), { recursive: true, encoding: 'utf8' }).map((f) => path.join(WEB, 'routes', f)).filter((f) => fs.statSync(f).isFile()), ...['channel-data.ts', 'page-export.ts'].map((f) => path.join(WEB, f))];
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-z0-9_.]+)'\s*[,)]/g)) literal.add(m[1]);
    for (const m of text.matchAll(/\bt\('([a-z0-9_.]+\.)'\s*\+/g)) prefixes.add(m[1]);
    for (const m of text.matchAll(/\bt\(`([a-z0-9_.]+\.)\$\{/g)) prefixes.add(m[1]);
  }
  return { literal, prefixes };
}

describe('web catalogs', () => {
  test('ru, kk and en have exactly the same keys', () => {
    const ru = Object.keys(CATALOGS.ru).sort();
    expect(Object.keys(CATALOGS.kk).sort()).toEqual(ru);
    expect(Object.keys(CATALOGS.en).sort()).toEqual(ru);
  });

  test('no text is empty, and Kazakh is not a copy of Russian', () => {
    let same = 0;
    for (const lang of LANGS) {
      for (const [key, v] of Object.entries(CATALOGS[lang])) {
        expect(typeof v === 'string' ? v.trim() : v.other.trim()).not.toBe('');
        if (lang === 'kk' && JSON.stringify(v) === JSON.stringify(CATALOGS.ru[key]) && !/^(lang\.|platform\.(facebook|instagram|telegram)$|nav\.rankings$|col\.audience$|unit\.seconds_short$)/.test(key)) same++;
      }
    }
    expect(same).toBe(0);
  });

  test('plural entries have the forms each language uses (ru: one/few/many)', () => {
    for (const [key, v] of Object.entries(CATALOGS.ru)) {
      if (typeof v === 'string') continue;
      expect([key, Object.keys(v).sort()]).toEqual([key, ['few', 'many', 'one', 'other']]);
      expect(typeof CATALOGS.kk[key]).toBe('object');
      expect(typeof CATALOGS.en[key]).toBe('object');
    }
    const t = translator('ru');
    expect(t('targets.count', { count: 1, n: 1 })).toBe('1 цель');
    expect(t('targets.count', { count: 3, n: 3 })).toBe('3 цели');
    expect(t('targets.count', { count: 11, n: 11 })).toBe('11 целей');
    expect(t('targets.count', { count: 21, n: 21 })).toBe('21 цель');
    expect(translator('en')('targets.count', { count: 1, n: 1 })).toBe('1 target');
    expect(translator('en')('targets.count', { count: 2, n: 2 })).toBe('2 targets');
  });

  test('every key a template or route asks for exists; every key family has members', () => {
    const { literal, prefixes } = usedKeys();
    expect(literal.size).toBeGreaterThan(100);
    for (const key of literal) expect([key, key in CATALOGS.ru]).toEqual([key, true]);
    for (const p of prefixes) expect([p, Object.keys(CATALOGS.ru).some((k) => k.startsWith(p))]).toEqual([p, true]);
    // The families the code fills in from data: every value has a text.
    const families: Record<string, readonly string[]> = {
      'status.': ['achieved', 'on_track', 'at_risk', 'behind', 'missed', 'no_data'],
      'platform.': ['facebook', 'instagram', 'telegram', 'newspaper', 'social'],
      'level.': ['council', 'region', 'branch', 'primary', 'council.plural', 'region.plural', 'branch.plural', 'primary.plural'],
      'error.': ['rate_limit', 'invalid_token', 'permission', 'not_found', 'transient', 'malformed', 'timeout', 'other'],
      'run.': ['running', 'finished', 'failed', 'interrupted'],
      'metric.': ['growth_percent', 'net_growth', 'per_1000_members', 'reach_share'],
      'period.': ['week', 'month', 'quarter', 'year', 'custom'],
      'flag.': ['spike', 'drop'],
      'chart.range.': ['90d', '1y', '3y'],
      'lang.': ['ru', 'kk', 'en'],
    };
    for (const [prefix, values] of Object.entries(families)) for (const v of values) expect(`${prefix}${v}` in CATALOGS.ru).toBe(true);
  });

  test('Kazakh follows the glossary', () => {
    expect(CATALOGS.kk['status.on_track']).toBe('Кесте бойынша');
    expect(CATALOGS.kk['status.behind']).toBe('Артта қалуда');
    expect(CATALOGS.kk['col.required_per_day']).toBe('Күніне қажет');
    expect(CATALOGS.kk['col.baseline']).toBe('Бастапқы мән');
    expect(CATALOGS.kk['org.suspicious']).toBe('Күдікті өсім');
  });
});

describe('serve', () => {
  test('starts the web service on the configured port and stops it', async () => {
    const f = buildWebFixture();
    try {
      const probe = http.createServer();
      await new Promise<void>((r) => probe.listen(0, r));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const config = { ...f.config, env: { ...f.config.env, port } };
      const stop = await startServices(createServices(f.db, config), [webService]);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { database: string }).database).toBe('ok');
      await stop();
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      f.close();
    }
  });
});
