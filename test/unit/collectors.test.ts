// Pure parts of the collectors: error mapping, redaction, backoff, usage headers, windows, HTML check.
import {
  CollectorError,
  backoffDelay,
  graphError,
  parseUsageHeaders,
  redact,
  registerSecret,
} from '../../collectors/http';
import { insightsWindows, parseInsightsValues, readCount } from '../../collectors/facebook';
import { knownIgUserId } from '../../collectors/instagram';
import { telegramError } from '../../collectors/telegram';
import { CollectorRegistry, collectSettings } from '../../collectors/registry';
import { parseTelegramHtml } from '../../collectors/emulator';
import { audienceModel } from '../../collectors/emulator/model';
import type { Collector } from '../../collectors/types';

describe('Graph error codes map to typed errors', () => {
  test.each([
    [4, undefined, 'rate_limit'],
    [17, undefined, 'rate_limit'],
    [32, undefined, 'rate_limit'],
    [613, 1996, 'rate_limit'],
    [80001, undefined, 'rate_limit'],
    [190, 463, 'invalid_token'],
    [190, 460, 'invalid_token'],
    [10, undefined, 'permission'],
    [200, undefined, 'permission'],
    [299, undefined, 'permission'],
    [100, 33, 'not_found'],
    [803, undefined, 'not_found'],
    [1, undefined, 'transient'],
    [2, undefined, 'transient'],
    [100, undefined, 'other'],
  ])('code %p subcode %p → %s', (code, sub, kind) => {
    expect(graphError({ code, error_subcode: sub, message: 'm' }, 400, 'Page 1').kind).toBe(kind);
  });

  test('no body: 5xx is transient, 404 not found', () => {
    expect(graphError(undefined, 503, 'x').kind).toBe('transient');
    expect(graphError(undefined, 404, 'x').kind).toBe('not_found');
  });

  test('retryable kinds are the passing ones', () => {
    expect(['rate_limit', 'transient', 'timeout', 'malformed'].map((k) => new CollectorError(k as never, 'x').retryable)).toEqual([true, true, true, true]);
    expect(['invalid_token', 'permission', 'not_found', 'other'].map((k) => new CollectorError(k as never, 'x').retryable)).toEqual([false, false, false, false]);
  });
});

describe('Bot API errors map to typed errors', () => {
  const tgErr = (error_code: number, description: string, parameters?: object) => ({ name: 'Error', response: { ok: false, error_code, description, parameters } });
  test.each([
    [tgErr(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'rate_limit'],
    [tgErr(401, 'Unauthorized'), 'invalid_token'],
    [tgErr(400, 'Bad Request: chat not found'), 'not_found'],
    [tgErr(403, 'Forbidden: bot was kicked from the channel chat'), 'permission'],
    [tgErr(502, 'Bad Gateway'), 'transient'],
    [{ name: 'FetchError', type: 'invalid-json', message: 'invalid json response body at http://x/bot1:SECRET/getChat' }, 'malformed'],
    [{ name: 'AbortError', type: 'aborted' }, 'timeout'],
    [{ name: 'FetchError', type: 'system', code: 'ECONNRESET' }, 'transient'],
  ])('%j → %s', (e, kind) => {
    expect(telegramError(e, 'Telegram chat @x', false).kind).toBe(kind);
  });
  test('429 keeps retry_after in ms', () => {
    expect(telegramError(tgErr(429, 'x', { retry_after: 7 }), 'c', false).retryAfterMs).toBe(7000);
  });
});

describe('redaction', () => {
  test('registered tokens and credential-shaped text never survive', () => {
    registerSecret('EAAunit-secret-token');
    expect(redact('GET /v24.0/1?fields=x&access_token=EAAunit-secret-token')).not.toContain('EAAunit-secret-token');
    expect(redact('plain EAAunit-secret-token inside')).toBe('plain [redacted] inside');
    expect(redact('https://api.telegram.org/bot123:AAbbCC/getChat')).toBe('https://api.telegram.org/bot[redacted]/getChat');
    expect(redact('url?access_token=unregistered&x=1')).toBe('url?access_token=[redacted]&x=1');
    expect(redact('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
  });
  test('error messages are redacted when built', () => {
    registerSecret('999:bot-unit-secret');
    expect(new CollectorError('other', 'failed at http://h/bot999:bot-unit-secret/getMe').message).not.toContain('bot-unit-secret');
  });
});

describe('backoff', () => {
  const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  test('full jitter between half and all of base × 2^(n−1), capped', () => {
    expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1000);
  });
  test('never shorter than retry_after', () => {
    expect(backoffDelay(1, policy, 7000, () => 0)).toBe(7000);
  });
});

describe('usage headers', () => {
  test('the highest percentage of X-App-Usage and X-Business-Use-Case-Usage, and the regain time', () => {
    expect(parseUsageHeaders({ 'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}' })).toEqual({ percent: 28, regainMs: 0 });
    expect(
      parseUsageHeaders({
        'X-Business-Use-Case-Usage': '{"123":[{"type":"pages","call_count":97,"total_cputime":23,"total_time":23,"estimated_time_to_regain_access":2}]}',
      }),
    ).toEqual({ percent: 97, regainMs: 120_000 });
    expect(parseUsageHeaders({ 'x-app-usage': 'not json' })).toBeUndefined();
    expect(parseUsageHeaders({})).toBeUndefined();
  });
});

describe('Page Insights', () => {
  test('730 days are read in contiguous windows of at most 90 days', () => {
    const now = new Date('2026-11-23T01:00:00Z');
    const w = insightsWindows(730, now);
    expect(w).toHaveLength(9);
    for (const [s, u] of w) expect(u - s).toBeLessThanOrEqual(90 * 86_400);
    for (let i = 1; i < w.length; i++) expect(w[i][0]).toBe(w[i - 1][1]);
    expect(w[w.length - 1][1]).toBe(now.getTime() / 1000);
    expect(insightsWindows(5000, now)).toHaveLength(9); // capped at two years
  });
  test('values parse to end-time points; other shapes are rejected, not zeroed', () => {
    const body = { data: [{ name: 'page_follows', values: [{ value: 64, end_time: '2026-09-05T07:00:00+0000' }, { value: 'x', end_time: '2026-09-06T07:00:00+0000' }] }] };
    expect(parseInsightsValues(body, 'page_follows')).toEqual([{ endTime: Date.parse('2026-09-05T07:00:00Z'), audience: 64 }]);
    expect(parseInsightsValues({ nope: 1 }, 'page_follows')).toBeUndefined();
  });
  test('a missing or odd followers_count is a gap, never a zero', () => {
    expect(readCount({ followers_count: 0 }, 'followers_count')).toBe(0);
    expect(readCount({}, 'followers_count')).toBeUndefined();
    expect(readCount({ followers_count: '12' }, 'followers_count')).toBeUndefined();
    expect(readCount({ followers_count: -1 }, 'followers_count')).toBeUndefined();
  });
});

test('Instagram: the id to read is the resolved one, else the configured IG id; a Page-only account needs a lookup', () => {
  const base = { accountId: 1, platform: 'instagram' as const, token: 't', tokenKey: 'k' };
  expect(knownIgUserId({ ...base, platformId: '17841400000000001' })).toBe('17841400000000001');
  expect(knownIgUserId({ ...base, platformId: 'page:100', pageId: '100' })).toBeUndefined();
  expect(knownIgUserId({ ...base, platformId: 'page:100', pageId: '100', resolvedId: '1784999' })).toBe('1784999');
});

test('the registry refuses a second collector for a platform', () => {
  const fake: Collector = { platform: 'telegram', collect: async () => undefined };
  const r = new CollectorRegistry().register(fake);
  expect(() => r.register({ ...fake })).toThrow(/already registered/);
  expect(r.platforms()).toEqual(['telegram']);
});

test('settings: defaults, overrides, and clear errors for bad values', () => {
  expect(collectSettings({ concurrency: 8 })).toMatchObject({ concurrency: 8, batchSize: 50 });
  expect(() => collectSettings({ batchSize: 51 })).toThrow(/at most 50/);
  expect(() => collectSettings({ telegramRatePerSecond: 0 })).toThrow(/telegramRatePerSecond must be a positive number/);
});

test.each([
  ['<b>bold</b> &amp; <i>it</i>', { text: 'bold & it' }],
  ['<a href="https://x">link</a>', { text: 'link' }],
  ['<blink>x</blink>', { error: expect.stringMatching(/Unsupported start tag "blink"/) }],
  ['<b>open', { error: expect.stringMatching(/Can't find end tag/) }],
  ['a < b', { error: expect.stringMatching(/byte offset 2/) }],
  ['fish & chips', { error: expect.stringMatching(/reserved/) }],
])('Bot API HTML check: %s', (html, expected) => {
  expect(parseTelegramHtml(html)).toEqual(expected);
});

test('emulated audiences are deterministic and never negative', () => {
  const m = audienceModel('s');
  expect(m.audience('100', 20_000)).toBe(audienceModel('s').audience('100', 20_000));
  for (let d = 0; d < 30_000; d += 997) expect(m.audience('abc', d)).toBeGreaterThanOrEqual(0);
});
