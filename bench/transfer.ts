// `npm run bench:transfer`: bytes a browser downloads for the overview (`/`) and the targets review (`/targets`)
// of the demo, first view (empty cache) and repeat view (the browser's HTTP cache kept from the first view),
// as on a phone on mobile data. It starts the real demo (emulator, two years of history, the web server) on a
// free port, signs in through /login, then fetches each page and every stylesheet, script and icon it links,
// sending `Accept-Encoding: gzip, deflate, br` like a browser. Bytes are counted on the wire (compressed bodies
// as sent, plus the response headers). On the repeat view a response still fresh by its Cache-Control max-age
// costs nothing; an expired one is revalidated with If-None-Match / If-Modified-Since (a 304 costs its
// headers); anything else is downloaded again. Prints a table, then one JSON object as its last line.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startDemo } from '../src/demo';
import { setLogLevel } from '../src/log';

setLogLevel('warn');

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Body bytes as sent (compressed when the server compressed them). */
  body: Buffer;
  /** Status line and header bytes, roughly as sent. */
  headerBytes: number;
}

function get(url: string, headers: Record<string, string>): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headerBytes = 17 + res.rawHeaders.reduce((n, h, i) => n + Buffer.byteLength(h) + (i % 2 ? 2 : 2), 0) + 2;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), headerBytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface CacheEntry {
  storedAt: number;
  maxAge: number;
  etag?: string;
  lastModified?: string;
}

/** The assets a page links: stylesheets, scripts and icons on this origin. */
function linkedAssets(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/[^"]+)"/g)) out.add(m[1].replace(/&amp;/g, '&'));
  return [...out];
}

function maxAgeOf(headers: http.IncomingHttpHeaders): number {
  const cc = String(headers['cache-control'] ?? '');
  if (/no-store|no-cache/.test(cc)) return 0;
  const m = /max-age=(\d+)/.exec(cc);
  return m ? Number(m[1]) : 0;
}

interface View {
  requests: number;
  bytes: number;
  htmlBytes: number;
  htmlRawBytes: number;
  assetBytes: number;
  notModified: number;
  fromCache: number;
}

async function view(base: string, page: string, cookie: string, cache: Map<string, CacheEntry>): Promise<View> {
  const v: View = { requests: 0, bytes: 0, htmlBytes: 0, htmlRawBytes: 0, assetBytes: 0, notModified: 0, fromCache: 0 };
  const browser = { 'accept-encoding': 'gzip, deflate, br', cookie };
  const load = async (url: string): Promise<Fetched | null> => {
    const cached = cache.get(url);
    if (cached && (Date.now() - cached.storedAt) / 1000 < cached.maxAge) {
      v.fromCache++;
      return null;
    }
    const headers: Record<string, string> = { ...browser };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    const res = await get(base + url, headers);
    v.requests++;
    v.bytes += res.headerBytes + res.body.length;
    if (res.status === 304) v.notModified++;
    else if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    if (res.status === 200) {
      cache.set(url, { storedAt: Date.now(), maxAge: maxAgeOf(res.headers), etag: res.headers.etag as string | undefined, lastModified: res.headers['last-modified'] as string | undefined });
    }
    return res;
  };
  const res = await load(page);
  if (!res) throw new Error(`${page} came from the cache`);
  const decoded = await decode(res);
  v.htmlBytes = res.body.length;
  v.htmlRawBytes = decoded.length;
  for (const asset of linkedAssets(decoded.toString('utf8'))) {
    const a = await load(asset);
    if (a) v.assetBytes += a.body.length;
  }
  return v;
}

async function decode(res: Fetched): Promise<Buffer> {
  const zlib = await import('node:zlib');
  const enc = res.headers['content-encoding'];
  if (enc === 'br') return zlib.brotliDecompressSync(res.body);
  if (enc === 'gzip') return zlib.gunzipSync(res.body);
  if (enc === 'deflate') return zlib.inflateSync(res.body);
  return res.body;
}

async function signIn(base: string, login: string, password: string): Promise<string> {
  const page = await get(`${base}/login`, {});
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await decode(page)).toString('utf8'))?.[1] ?? '';
  const cookies = ((page.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');
  const body = new URLSearchParams({ login, password, _csrf: csrf }).toString();
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${base}/login`, { method: 'POST', headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  res.resume();
  const session = ((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('ag_session='));
  if (res.statusCode !== 303 || !session) throw new Error(`sign-in failed: HTTP ${res.statusCode}`);
  return session;
}

const kb = (n: number) => (n / 1024).toFixed(1);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-transfer-'));
  const demo = await startDemo({ port: 0, dbPath: path.join(dir, 'demo.db'), env: {} });
  try {
    const base = demo.url.replace(/\/$/, '').replace('localhost', '127.0.0.1');
    const cookie = await signIn(base, demo.login, demo.password);
    const figures: Record<string, number> = {};
    console.log('page       view     requests  KB on the wire  HTML KB (unpacked)  assets KB  304s  from cache');
    for (const page of ['/', '/targets']) {
      const cache = new Map<string, CacheEntry>();
      const first = await view(base, page, cookie, cache);
      const repeat = await view(base, page, cookie, cache);
      for (const [name, v] of [['first', first], ['repeat', repeat]] as const) {
        console.log(
          `${page.padEnd(10)} ${name.padEnd(8)} ${String(v.requests).padStart(8)}  ${kb(v.bytes).padStart(14)}  ${`${kb(v.htmlBytes)} (${kb(v.htmlRawBytes)})`.padStart(18)}  ${kb(v.assetBytes).padStart(9)}  ${String(v.notModified).padStart(4)}  ${String(v.fromCache).padStart(10)}`,
        );
        const key = page === '/' ? 'overview' : 'targets';
        figures[`${key}_${name}_view_kb`] = Number(kb(v.bytes));
        figures[`${key}_${name}_view_requests`] = v.requests;
      }
    }
    console.log(JSON.stringify(figures));
  } finally {
    await demo.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
