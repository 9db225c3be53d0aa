// The emulator speaks the Graph API and the Bot API as the real SDKs expect (shapes from
// reference/platform-apis.md), on one port, with deterministic audiences.
import axios from 'axios';
import { FacebookAdsApi } from 'facebook-nodejs-business-sdk';
import { Telegram } from 'telegraf';
import { startEmulator, type Emulator } from '../../collectors/emulator';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'emu-test', unknownIds: ['999', '@ghost_channel'], invalidTokens: ['expired'], pageTasks: { T: '*' } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const graph = (path: string, params: Record<string, string> = {}) =>
  axios.get(`${emu.url}/v24.0/${path}`, { params: { access_token: 'T', ...params }, validateStatus: () => true });

describe('Graph API', () => {
  test('a Page node read through the SDK returns followers_count, and the same number every time', async () => {
    // The SDK hard-codes graph.facebook.com: its 6th call() argument points it at the emulator.
    const api = new FacebookAdsApi('T', 'en_US', false);
    const body = await api.call<Record<string, unknown>>('GET', ['123456'], { fields: 'followers_count,fan_count,name' }, {}, false, emu.url);
    expect(body).toEqual({ followers_count: emu.audience('123456'), fan_count: expect.any(Number), name: 'Page 123456', id: '123456' });
    expect((await graph('123456', { fields: 'followers_count' })).data.followers_count).toBe(body.followers_count);
  });

  test('audiences are a function of seed, id and day: they move from day to day and differ by seed', async () => {
    const days = ['2026-01-01', '2026-03-01', '2026-06-01'].map((d) => emu.audience('42', d));
    expect(new Set(days).size).toBe(3);
    const other = await startEmulator({ seed: 'another' });
    expect(other.audience('42', '2026-01-01')).not.toBe(days[0]);
    await other.close();
  });

  test('batch requests accept JSON and form bodies and answer in request order, ≤ 50 entries', async () => {
    const batch = [{ method: 'GET', relative_url: '111?fields=followers_count' }, { method: 'GET', relative_url: 'v24.0/222?fields=followers_count' }];
    const json = await axios.post(`${emu.url}/v24.0?access_token=T`, { batch, include_headers: false });
    const form = await axios.post(`${emu.url}/`, new URLSearchParams({ access_token: 'T', batch: JSON.stringify(batch) }).toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    for (const res of [json, form]) {
      expect(res.data).toHaveLength(2);
      expect(JSON.parse(res.data[0].body)).toEqual({ followers_count: emu.audience('111'), id: '111' });
      expect(JSON.parse(res.data[1].body).id).toBe('222');
    }
    expect(json.data[0].headers).toBeUndefined();
    expect(form.data[0].headers).toEqual([expect.objectContaining({ name: 'Content-Type' })]);
    const tooMany = await axios.post(`${emu.url}/v24.0?access_token=T`, { batch: Array(51).fill(batch[0]) }, { validateStatus: () => true });
    expect(tooMany.status).toBe(400);
    expect(tooMany.data.error).toMatchObject({ code: 100, message: expect.stringMatching(/Maximum batch size is 50/) });
  });

  test('?ids= reads several nodes; an unknown id is error 803', async () => {
    const ok = await graph('', { ids: '1,2', fields: 'followers_count' });
    expect(Object.keys(ok.data)).toEqual(['1', '2']);
    const bad = await graph('', { ids: '1,999', fields: 'followers_count' });
    expect(bad.data.error.code).toBe(803);
    const many = await graph('', { ids: Array.from({ length: 51 }, (_, i) => i + 1).join(','), fields: 'followers_count' });
    expect(many.data.error.message).toMatch(/Too many IDs. Maximum: 50/);
  });

  test('errors have the documented shape: unknown object, bad field, expired token', async () => {
    const unknown = await graph('999', { fields: 'followers_count' });
    expect(unknown.status).toBe(400);
    expect(unknown.data.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException', fbtrace_id: expect.any(String) });
    expect((await graph('1', { fields: 'nonsense' })).data.error.message).toMatch(/nonexisting field \(nonsense\)/);
    const expired = await graph('1', { access_token: 'expired' });
    expect(expired.data.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
  });

  test('usage headers are sent and can be forced', async () => {
    emu.setUsage(87);
    const r = await graph('1', { fields: 'followers_count' });
    expect(JSON.parse(r.headers['x-app-usage'])).toMatchObject({ call_count: 87 });
    expect(JSON.parse(r.headers['x-business-use-case-usage'])['1'][0]).toMatchObject({ type: 'pages', call_count: 87 });
    emu.setUsage(100);
    expect((await graph('1', { fields: 'followers_count' })).data.error.code).toBe(4);
  });

  test('a Page links its Instagram account, whose node has followers_count', async () => {
    const link = await graph('555', { fields: 'instagram_business_account' });
    const igId = link.data.instagram_business_account.id;
    expect(igId).toMatch(/^1784\d+$/);
    const ig = await graph(igId, { fields: 'followers_count,username' });
    expect(ig.data).toEqual({ followers_count: emu.audience(igId), username: expect.any(String), id: igId });
  });

  test('page_follows insights: ≤ 90-day windows, end_time a day after since, absolute paging URLs back to the emulator', async () => {
    const until = Math.floor(Date.now() / 1000);
    const since = until - 10 * 86_400;
    // Insights need the Page's own token, which a token with a task on the Page obtains.
    const access_token = (await graph('777', { fields: 'access_token' })).data.access_token as string;
    expect(access_token).toMatch(/^EAAP/);
    const r = await graph('777/insights', { metric: 'page_follows', period: 'day', since: String(since), until: String(until), access_token });
    const series = r.data.data[0];
    expect(series).toMatchObject({ name: 'page_follows', period: 'day', title: 'Lifetime Total Follows', id: '777/insights/page_follows/day' });
    expect(series.values.length).toBeGreaterThanOrEqual(9);
    expect(Date.parse(series.values[0].end_time.replace('+0000', 'Z')) / 1000 - since).toBeLessThanOrEqual(86_400);
    expect(r.data.paging.next.startsWith(`${emu.url}/v24.0/777/insights?`)).toBe(true);
    const prev = await axios.get(r.data.paging.previous);
    expect(prev.data.data[0].values.length).toBeGreaterThan(0);
    const tooLong = await graph('777/insights', { metric: 'page_follows', period: 'day', since: String(until - 91 * 86_400), until: String(until), access_token });
    expect(tooLong.data.error.code).toBe(100);
    expect((await graph('777/insights', { metric: 'page_fans', access_token })).data.error.message).toBe('(#100) The value must be a valid insights metric');
    expect((await graph('777/insights', { metric: 'page_follows' })).data.error).toMatchObject({ code: 190, message: '(#190) This method must be called with a Page Access Token' });
  });
});

describe('Bot API', () => {
  const tg = () => new Telegram('123:ABC', { apiRoot: emu.url });

  test('getMe, getChat and both member-count method names', async () => {
    expect((await tg().getMe()).is_bot).toBe(true);
    const chat = (await tg().getChat('@union_news')) as unknown as Record<string, unknown>;
    expect(chat).toMatchObject({ type: 'channel', title: 'Channel union_news', username: 'union_news', accent_color_id: expect.any(Number), max_reaction_count: 11 });
    expect(chat.id).toBeLessThan(-1_000_000_000_000);
    const newName = await tg().callApi('getChatMemberCount', { chat_id: '@union_news' });
    const oldName = await tg().getChatMembersCount('@union_news');
    expect(newName).toBe(oldName);
    expect(newName).toBe(emu.audience('@union_news'));
    // Method names are case-insensitive.
    const lower = await axios.get(`${emu.url}/bot123:ABC/getchatmembercount`, { params: { chat_id: '@union_news' } });
    expect(lower.data).toEqual({ ok: true, result: newName });
  });

  test('errors: chat not found, unauthorized, 429 with retry_after', async () => {
    await expect(tg().getChat('@ghost_channel')).rejects.toMatchObject({ response: { error_code: 400, description: 'Bad Request: chat not found' } });
    await expect(new Telegram('expired', { apiRoot: emu.url }).getMe()).rejects.toMatchObject({ response: { error_code: 401 } });
    emu.setFault({ kind: 'rate_limit', api: 'telegram', target: '@busy', retryAfter: 7 });
    await expect(tg().getChatMembersCount('@busy')).rejects.toMatchObject({ response: { error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
  });

  test('sendMessage logs the message (also over HTTP) and rejects bad HTML', async () => {
    const m = await tg().sendMessage('@union_news', '<b>Week 47</b>: +12 &amp; more', { parse_mode: 'HTML' });
    expect(m.text).toBe('Week 47: +12 & more');
    expect(emu.messages).toEqual([expect.objectContaining({ chatId: '@union_news', text: '<b>Week 47</b>: +12 &amp; more', parseMode: 'HTML' })]);
    const over = await axios.get(`${emu.url}/__emulator/messages`);
    expect(over.data).toHaveLength(1);
    await expect(tg().sendMessage('@union_news', '<blink>x</blink>', { parse_mode: 'HTML' })).rejects.toMatchObject({ response: { error_code: 400, description: expect.stringMatching(/can't parse entities/) } });
    await expect(tg().sendMessage('@union_news', 'x'.repeat(4097))).rejects.toMatchObject({ response: { description: 'Bad Request: message is too long' } });
  });
});

describe('faults', () => {
  test('fire a limited number of times, per target, and are cleared by reset()', async () => {
    emu.setFault({ kind: 'server_error', api: 'graph', target: '31', times: 1 });
    expect((await graph('31', { fields: 'followers_count' })).status).toBe(500);
    expect((await graph('31', { fields: 'followers_count' })).status).toBe(200);
    expect((await graph('32', { fields: 'followers_count' })).status).toBe(200);
    emu.setFault({ kind: 'malformed', api: 'graph' });
    expect((await graph('33', { fields: 'followers_count' })).data).toBe('{"data": [{"followers_count": 12');
    emu.reset();
    expect((await graph('33', { fields: 'followers_count' })).status).toBe(200);
  });

  test('a timed-out batch entry is null; a dropped connection has no answer', async () => {
    emu.setFault({ kind: 'batch_null', target: '41' });
    const r = await axios.post(`${emu.url}/v24.0?access_token=T`, { batch: [{ method: 'GET', relative_url: '40?fields=followers_count' }, { method: 'GET', relative_url: '41?fields=followers_count' }] });
    expect(r.data[0]).not.toBeNull();
    expect(r.data[1]).toBeNull();
    emu.setFault({ kind: 'drop', api: 'telegram' });
    await expect(tg2().getMe()).rejects.toThrow();
    expect(emu.requestLog.at(-1)).toMatchObject({ api: 'telegram', status: 0, path: '/bot[token]/getMe' });
  });

  test('random faults with a probability repeat for the same seed', async () => {
    const pattern = async () => {
      emu.reset();
      emu.setFault({ kind: 'server_error', probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await graph(String(i), { fields: 'followers_count' })).status);
      return out;
    };
    const a = await pattern();
    expect(a).toContain(500);
    expect(a).toContain(200);
    expect(await pattern()).toEqual(a);
  });
});

const tg2 = () => new Telegram('123:ABC', { apiRoot: emu.url });
