import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../db';
import { Outbox, Sender, type SendApi } from '../../src/bot/outbox';
import { setLogSink } from '../../src/log';

/** A fake clock: sleep advances time instantly, so rate limits can be checked exactly. */
function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

function telegramError(code: number, description: string, retryAfter?: number) {
  return Object.assign(new Error(`${code}: ${description}`), {
    name: 'TelegramError',
    response: { ok: false, error_code: code, description, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) },
  });
}

/** Records deliveries with the fake time; `failures` queues errors to throw before succeeding. */
function fakeApi(c: ReturnType<typeof clock>, failures: Error[] = []) {
  const sent: { chat: string; text: string; at: number }[] = [];
  const calls: { chat: string; at: number }[] = [];
  const api: SendApi = {
    async sendMessage(chat, text) {
      calls.push({ chat, at: c.now() });
      const f = failures.shift();
      if (f) throw f;
      sent.push({ chat, text, at: c.now() });
      return { message_id: sent.length };
    },
  };
  return { api, sent, calls };
}

let dir: string;
let db: Db;
let restoreSink: (l: string) => void;
beforeEach(() => {
  restoreSink = setLogSink(() => {});
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-outbox-'));
  db = openDatabase(path.join(dir, 'ag.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  setLogSink(restoreSink);
});

test('posts to one chat go out in order, at least the per-chat interval apart', async () => {
  const c = clock();
  const { api, sent } = fakeApi(c);
  const outbox = new Outbox(db);
  outbox.enqueue('@chan', ['one', 'two', 'three'], 'summary');
  const r = await new Sender(outbox, api, { now: c.now, sleep: c.sleep, perChatIntervalMs: 1000 }).drain(c.now() + 60_000);
  expect(r).toEqual({ sent: 3, failed: 0, pending: 0 });
  expect(sent.map((s) => s.text)).toEqual(['one', 'two', 'three']);
  expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(1000);
  expect(sent[2].at - sent[1].at).toBeGreaterThanOrEqual(1000);
});

test('a group or channel gets no more than 20 posts a minute; different chats do not wait for each other', async () => {
  const c = clock();
  const { api, sent } = fakeApi(c);
  const outbox = new Outbox(db);
  outbox.enqueue('-1001', Array.from({ length: 25 }, (_, i) => `g${i}`), 'summary');
  outbox.enqueue('12345', ['private'], 'reply');
  const t0 = c.now();
  await new Sender(outbox, api, { now: c.now, sleep: c.sleep, perChatIntervalMs: 1000, groupPerMinute: 20 }).drain(c.now() + 600_000);
  const group = sent.filter((s) => s.chat === '-1001');
  expect(group).toHaveLength(25);
  for (let i = 20; i < group.length; i++) expect(group[i].at - group[i - 20].at).toBeGreaterThanOrEqual(60_000);
  expect(sent.find((s) => s.chat === '12345')!.at - t0).toBeLessThan(1000);
});

test('a 429 is waited out for retry_after seconds and the post is delivered exactly once', async () => {
  const c = clock();
  const { api, sent, calls } = fakeApi(c, [telegramError(429, 'Too Many Requests: retry after 7', 7)]);
  const outbox = new Outbox(db);
  const [id] = outbox.enqueue('@chan', ['hello'], 'summary');
  const r = await new Sender(outbox, api, { now: c.now, sleep: c.sleep, perChatIntervalMs: 0 }).drain(c.now() + 60_000);
  expect(r.sent).toBe(1);
  expect(sent).toHaveLength(1);
  expect(calls).toHaveLength(2);
  expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(7000);
  expect(outbox.get(id)).toMatchObject({ status: 'sent', attempts: 1 });
});

test('a failed post stays queued and a new process (after a restart) delivers it', async () => {
  const c = clock();
  const outbox = new Outbox(db);
  const [id] = outbox.enqueue('@chan', ['survives'], 'alert');
  const first = fakeApi(c, [telegramError(502, 'Bad Gateway')]);
  const r1 = await new Sender(outbox, first.api, { now: c.now, sleep: c.sleep, backoffMs: 30_000 }).drain(c.now() + 1000);
  expect(r1).toEqual({ sent: 0, failed: 0, pending: 1 });
  expect(new Outbox(db).get(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: '502: Bad Gateway' });
  db.close();

  db = openDatabase(path.join(dir, 'ag.db'));
  c.advance(31_000);
  const second = fakeApi(c);
  const r2 = await new Sender(new Outbox(db), second.api, { now: c.now, sleep: c.sleep }).drain(c.now() + 1000);
  expect(r2).toEqual({ sent: 1, failed: 0, pending: 0 });
  expect(second.sent.map((s) => s.text)).toEqual(['survives']);
});

test('a post Telegram cannot parse is given up at once; other errors after maxAttempts', async () => {
  const c = clock();
  const outbox = new Outbox(db);
  const [bad] = outbox.enqueue('@a', ['<b>broken'], 'summary');
  const [flaky] = outbox.enqueue('@b', ['never'], 'summary');
  const { api } = fakeApi(c, [
    telegramError(400, "Bad Request: can't parse entities: Can't find end tag"),
    ...Array.from({ length: 5 }, () => telegramError(403, 'Forbidden: bot was kicked from the channel chat')),
  ]);
  const r = await new Sender(outbox, api, { now: c.now, sleep: c.sleep, maxAttempts: 3, backoffMs: 10 }).drain(c.now() + 60_000);
  expect(r).toEqual({ sent: 0, failed: 2, pending: 0 });
  expect(outbox.get(bad)).toMatchObject({ status: 'failed', attempts: 1 });
  expect(outbox.get(flaky)).toMatchObject({ status: 'failed', attempts: 3 });
});

test('queuing the same key twice adds nothing (a re-run of the weekly job posts once)', () => {
  const outbox = new Outbox(db);
  expect(outbox.enqueue('@chan', ['a', 'b'], 'summary', 'summary:2026-W47:kz:@chan')).toHaveLength(2);
  expect(outbox.enqueue('@chan', ['a', 'b'], 'summary', 'summary:2026-W47:kz:@chan')).toHaveLength(0);
  expect(outbox.pendingCount()).toBe(2);
});

test('a row another sender holds is not sent twice', async () => {
  const c = clock();
  const outbox = new Outbox(db);
  const [id] = outbox.enqueue('@chan', ['once'], 'summary');
  expect(outbox.claim(id, c.now())).toBe(true);
  const { api, sent } = fakeApi(c);
  const r = await new Sender(outbox, api, { now: c.now, sleep: c.sleep }).drain(c.now() + 5_000);
  expect(sent).toHaveLength(0);
  expect(r.pending).toBe(1);
});

test('a post whose sender stopped mid-send (Telegram took it, no answer came back) is not posted a second time after a restart', async () => {
  const c = clock();
  const outbox = new Outbox(db);
  const [id] = outbox.enqueue('@chan', ['weekly summary'], 'summary');
  const [later] = outbox.enqueue('@other', ['alert'], 'alert');
  // Telegram posts the message; the process stops before the answer arrives (the call never returns)
  const delivered: string[] = [];
  const crashing: SendApi = {
    sendMessage: (_chat, text) => {
      delivered.push(text);
      return new Promise(() => {});
    },
  };
  void new Sender(outbox, crashing, { now: c.now, sleep: c.sleep }).drain(c.now() + 1000);
  await new Promise((r) => setImmediate(r));
  expect(delivered).toEqual(['weekly summary']);
  db.close();

  // the restart, after the dead sender's lease ran out
  db = openDatabase(path.join(dir, 'ag.db'));
  c.advance(61_000);
  const after = fakeApi(c);
  const r = await new Sender(new Outbox(db), after.api, { now: c.now, sleep: c.sleep }).drain(c.now() + 5_000);
  expect(after.sent.map((x) => x.text)).toEqual(['alert']); // the summary never twice; the untouched alert goes out
  expect(r).toEqual({ sent: 1, failed: 1, pending: 0 });
  expect(new Outbox(db).get(id)).toMatchObject({ status: 'failed', last_error: 'not sent again: the process stopped while Telegram was being asked to post this, so it may already have been posted' });
  expect(new Outbox(db).get(later)).toMatchObject({ status: 'sent' });
});

test('a refusal Telegram answered clears the sending mark: the post is retried and delivered once', async () => {
  const c = clock();
  const outbox = new Outbox(db);
  const [id] = outbox.enqueue('@chan', ['once'], 'summary');
  const { api, sent } = fakeApi(c, [telegramError(500, 'Internal Server Error')]);
  const r = await new Sender(outbox, api, { now: c.now, sleep: c.sleep, backoffMs: 10 }).drain(c.now() + 120_000);
  expect(r).toEqual({ sent: 1, failed: 0, pending: 0 });
  expect(sent.map((s) => s.text)).toEqual(['once']);
  expect(outbox.get(id)).toMatchObject({ status: 'sent', sending_at: null });
});
