// What a browser on mobile data downloads: pages and JSON compressed, static files by content-hashed URLs
// cached for a year in every mode, plain static URLs revalidated with an ETag, chart.js only on chart pages.
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createApp, createWebServer } from '../../web/app';
import { createServices } from '../../src/services';
import { buildWebFixture, type WebFixture } from '../helpers/web-fixture';
import { withSession, token } from '../helpers/web-auth';

let f: WebFixture;
let server: http.Server;
let base: string;

beforeAll(async () => {
  f = buildWebFixture();
  server = http.createServer(withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  f.close();
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that keeps the body as sent on the wire (no decompression). */
const get = (path: string, headers: Record<string, string> = {}): Promise<Raw> => getAt(base + path, headers);

function getAt(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

const text = (r: Raw) =>
  (r.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.body) : r.body).toString('utf8');

describe('compression', () => {
  test.each(['/', '/targets', '/rankings', '/health'])('%s is sent brotli-compressed to a browser that accepts it, at most a fifth of its size', async (path) => {
    const plain = await get(path);
    const br = await get(path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(text(br)).toBe(plain.body.toString('utf8'));
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
  });

  test('a browser that accepts only gzip gets gzip; the JSON API is compressed too', async () => {
    const page = await get('/', { 'accept-encoding': 'gzip' });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(text(page)).toContain('<html lang="ru">');
    const api = await get('/api/v1/growth?org=kz&platform=social&from=2026-01-01&to=2026-11-23', { 'accept-encoding': 'gzip' });
    expect(api.status).toBe(200);
    expect(api.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(text(api))[0]).toMatchObject({ org: 'kz', platform: 'social' });
  });
});

describe('the API fast path (cached answers replayed before Express)', () => {
  test('a repeated API request with a token is replayed from the cache, still compressed', async () => {
    const fastServer = createWebServer(createApp({ ...createServices(f.db, f.config), now: f.now }));
    await new Promise<void>((r) => fastServer.listen(0, '127.0.0.1', r));
    const fastBase = `http://127.0.0.1:${(fastServer.address() as AddressInfo).port}`;
    const auth = { authorization: `Bearer ${token(f.db, 'viewer', undefined, 'fast-path')}`, 'accept-encoding': 'gzip, deflate, br' };
    try {
      const url = `${fastBase}/api/v1/targets?date=2026-11-23`;
      const first = await getAt(url, auth);
      const again = await getAt(url, auth);
      expect(again.headers['x-cache']).toBe('hit');
      expect(again.headers['content-encoding']).toBe('gzip');
      expect(again.body.length).toBeLessThan(text(again).length / 3);
      expect(text(again)).toBe(text(first));
      const plain = await getAt(url, { authorization: auth.authorization });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString('utf8')).toBe(text(first));
    } finally {
      await new Promise((r) => fastServer.close(r));
    }
  });
});

describe('static files', () => {
  test('pages link every stylesheet, script and icon by a content-hashed URL that is cached for a year as immutable', async () => {
    const html = text(await get('/org/pavlodar'));
    const urls = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) {
      expect(url).toMatch(/\.[0-9a-f]{12}\.(css|js|svg)$/);
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      if (!url.endsWith('.svg')) expect(res.headers['content-encoding']).toBe('br');
    }
  });

  test('chart.js goes compressed to under 40 % of its size, and only to pages that draw a chart', async () => {
    const overview = text(await get('/'));
    const chartUrl = /src="(\/static\/vendor\/chart\.umd\.min\.[0-9a-f]{12}\.js)"/.exec(overview)![1];
    const plain = await get(chartUrl);
    const br = await get(chartUrl, { 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.body.length).toBeGreaterThan(150_000);
    expect(br.body.length).toBeLessThan(plain.body.length * 0.4);
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    for (const page of ['/targets', '/rankings', '/health']) expect(text(await get(page))).not.toContain('chart.umd');
  });

  test('a plain static URL carries an ETag and no-cache; asked again with it, the answer is a bodiless 304', async () => {
    const first = await get('/static/app.css');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{12}"$/);
    const again = await get('/static/app.css', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  test('an outdated hash still gets the current file, but not cached for long; unknown files are 404', async () => {
    const old = await get('/static/app.000000000000.css');
    expect(old.status).toBe(200);
    expect(old.headers['cache-control']).toBe('no-cache');
    expect((await get('/static/nothing.css')).status).toBe(404);
    expect((await get('/static/..%2Fapp.ts')).status).toBe(404);
  });
});
