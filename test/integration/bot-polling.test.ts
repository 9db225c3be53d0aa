// `serve` launches the command bot with long polling: a minimal Bot API stand-in (getMe, deleteWebhook,
// getUpdates, sendMessage) hands it one update and records the answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBotService } from '../../src/bot/service';
import { setLogSink } from '../../src/log';
import { botFixture, textUpdate, type BotFixture } from '../helpers/bot';

let server: http.Server;
let url: string;
let f: BotFixture;
let restoreSink: (l: string) => void;
const calls: string[] = [];
const sent: { chat_id: unknown; text: string }[] = [];
let pending = [textUpdate('/help', { id: 555 })];

beforeAll(async () => {
  restoreSink = setLogSink(() => {});
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop()!.toLowerCase();
      calls.push(method);
      const params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const ok = (result: unknown) => res.end(JSON.stringify({ ok: true, result }));
      res.setHeader('content-type', 'application/json');
      if (method === 'getme') return ok({ id: 1, is_bot: true, first_name: 'Bot', username: 'union_bot' });
      if (method === 'deletewebhook') return ok(true);
      if (method === 'sendmessage') {
        sent.push({ chat_id: params.chat_id, text: String(params.text) });
        return ok({ message_id: sent.length, date: 0, chat: { id: params.chat_id, type: 'private' }, text: params.text });
      }
      if (method === 'getupdates') {
        const updates = pending;
        pending = [];
        if (updates.length) return ok(updates);
        const t = setTimeout(() => ok([]), 200);
        req.on('close', () => clearTimeout(t));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found: method not found' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f = botFixture(url);
});
afterAll(async () => {
  f.db.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  setLogSink(restoreSink);
});

test('the bot service polls for updates and answers them', async () => {
  const service = createBotService({ db: f.db, config: f.config })!;
  await service.start();
  try {
    const deadline = Date.now() + 10_000;
    while (sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // the start requests first (deleteWebhook again from telegraf's launch), then polling
    expect(calls.slice(0, 4)).toEqual(['getme', 'deletewebhook', 'deletewebhook', 'getupdates']);
    expect(sent).toHaveLength(1);
    expect(sent[0].chat_id).toBe(555);
    expect(sent[0].text).toContain('/stats [организация]');
  } finally {
    await service.stop();
  }
});
