// The emulator answers what telegraf's long polling needs (getUpdates, deleteWebhook, setWebhook,
// getWebhookInfo), so a bot launched against it runs quietly, and closing the emulator ends a held poll at once.
import { Telegraf } from 'telegraf';
import { startEmulator, type Emulator } from '../../collectors/emulator';

const TOKEN = '123456:test-token';

async function call(emu: Emulator, method: string, body: Record<string, unknown> = {}): Promise<{ status: number; json: { ok: boolean; result?: unknown; error_code?: number } }> {
  const res = await fetch(`${emu.url}/bot${TOKEN}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { ok: boolean; result?: unknown; error_code?: number } };
}

test('getUpdates waits up to its timeout and answers an empty list', async () => {
  const emu = await startEmulator({ maxPollMs: 5_000 });
  try {
    let t = Date.now();
    expect((await call(emu, 'getUpdates', { timeout: 0 })).json).toEqual({ ok: true, result: [] });
    expect(Date.now() - t).toBeLessThan(500);
    t = Date.now();
    expect((await call(emu, 'getUpdates', { timeout: 1 })).json).toEqual({ ok: true, result: [] });
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
  } finally {
    await emu.close();
  }
});

test('closing the emulator answers a held getUpdates at once', async () => {
  const emu = await startEmulator();
  const t = Date.now();
  const poll = call(emu, 'getUpdates', { timeout: 50 });
  await new Promise((r) => setTimeout(r, 200));
  await emu.close();
  const answer = await poll;
  expect(answer.json).toEqual({ ok: true, result: [] });
  expect(Date.now() - t).toBeLessThan(2_000);
});

test('webhooks: setWebhook shows in getWebhookInfo and blocks getUpdates with 409 until deleteWebhook', async () => {
  const emu = await startEmulator();
  try {
    expect((await call(emu, 'getWebhookInfo')).json.result).toMatchObject({ url: '', pending_update_count: 0 });
    expect((await call(emu, 'setWebhook', { url: 'https://example.org/hook' })).json).toMatchObject({ ok: true, result: true });
    expect((await call(emu, 'getWebhookInfo')).json.result).toMatchObject({ url: 'https://example.org/hook' });
    const conflict = await call(emu, 'getUpdates', { timeout: 0 });
    expect(conflict.status).toBe(409);
    expect((await call(emu, 'deleteWebhook')).json).toMatchObject({ ok: true, result: true });
    expect((await call(emu, 'getUpdates', { timeout: 0 })).json).toEqual({ ok: true, result: [] });
  } finally {
    await emu.close();
  }
});

test('a telegraf bot launched against the emulator polls without errors and stops cleanly', async () => {
  const emu = await startEmulator();
  const bot = new Telegraf(TOKEN, { telegram: { apiRoot: emu.url } });
  const errors: unknown[] = [];
  const launched = bot.launch().catch((e: unknown) => errors.push(e));
  try {
    const deadline = Date.now() + 5_000;
    while (!emu.counters.byMethod.getupdates && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(emu.counters.byMethod).toMatchObject({ getme: 1, deletewebhook: 1, getupdates: 1 });
    expect(emu.requestLog.filter((r) => r.api === 'telegram').every((r) => r.status === 200)).toBe(true);
  } finally {
    bot.stop('test over');
    await launched;
    await emu.close();
  }
  expect(errors).toEqual([]);
});
