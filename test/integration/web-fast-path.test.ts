import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createApiToken } from '../../src/auth';
import { createApp, createWebServer } from '../../web/app';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { createServices } from '../../src/services';

// The cached JSON API answers are replayed at the HTTP layer, before Express: these tests go through a real
// server, as `serve` runs it, and check that the replay is the same answer, and only for whom it was made.
describe('cached API answers served before Express', () => {
  let f: WebFixture;
  let server: http.Server;
  let base: string;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    f = buildWebFixture();
    tokenA = createApiToken(f.db, { role: 'viewer', name: 'a' });
    tokenB = createApiToken(f.db, { role: 'viewer', name: 'b' });
    server = createWebServer(createApp({ ...createServices(f.db, f.config), now: f.now }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    f.close();
  });

  const get = (url: string, token?: string) => fetch(base + url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const url = '/api/v1/orgs/pavlodar/audience?platform=social&from=2026-01-01&to=2026-11-22';

  test('a repeated request gets the same body and the same security headers', async () => {
    const first = await get(url, tokenA);
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    const second = await get(url, tokenA);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(await second.text()).toBe(firstBody);
    for (const h of ['content-type', 'content-security-policy', 'x-content-type-options', 'x-frame-options', 'strict-transport-security']) {
      expect(second.headers.get(h)).toBe(first.headers.get(h));
    }
    expect(JSON.parse(firstBody).length).toBeGreaterThan(300);
  });

  test('another token, a bad token and no token never get that answer', async () => {
    await get(url, tokenA);
    const b = await get(url, tokenB);
    expect(b.status).toBe(200);
    expect(b.headers.get('x-cache')).toBe('miss');
    expect((await get(url, tokenA.slice(0, -2) + 'xx')).status).toBe(401);
    expect((await get(url)).status).toBe(401);
  });

  test('a revoked token is refused at once, although its answer was cached', async () => {
    expect((await get(url, tokenB)).status).toBe(200);
    f.db.prepare("UPDATE api_tokens SET revoked_at = 1 WHERE name = 'b'").run();
    const r = await get(url, tokenB);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: { code: 'invalid_token', message: expect.any(String) } });
  });
});
