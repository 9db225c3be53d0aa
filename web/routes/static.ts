// Static assets: our CSS/JS from web/public, chart.js and its date adapter straight from node_modules (no CDN).
// Pages link them by content-hashed URLs (`assetUrl('app.css')` → `/static/app.3f2a1b9c.css`), which are
// cached for a year as immutable in every mode: a changed file gets a new URL. The plain URLs still answer,
// with an ETag and `no-cache` (the browser revalidates, a 304 when unchanged). Bodies are sent brotli- or
// gzip-compressed when the browser accepts it, compressed once per file and kept in memory (a few files).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';

// chart.js' exports map blocks deep requires; resolve the package entry (in dist/) and go from there.
const CHART_DIR = path.dirname(require.resolve('chart.js'));
const ADAPTER_DIR = path.dirname(require.resolve('chartjs-adapter-date-fns'));
export const VENDOR_FILES: Record<string, string> = {
  'chart.umd.min.js': path.join(CHART_DIR, 'chart.umd.min.js'),
  'chartjs-adapter-date-fns.bundle.min.js': path.join(ADAPTER_DIR, 'chartjs-adapter-date-fns.bundle.min.js'),
};
const PUBLIC_DIR = path.join(__dirname, '..', 'public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.json']);
/** A hashed URL never changes its content: a year, immutable. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A plain URL may change at any deploy: keep it, but ask each time (ETag → 304). */
export const REVALIDATE = 'no-cache';

interface Asset {
  file: string;
  mtimeMs: number;
  type: string;
  body: Buffer;
  hash: string;
  etag: string;
  br?: Buffer;
  gzip?: Buffer;
}

const assets = new Map<string, Asset>();

/** The file behind an asset name (`app.css`, `vendor/chart.umd.min.js`), or undefined. */
function fileOf(name: string): string | undefined {
  // own keys only: `vendor/__proto__`, `vendor/constructor` and `vendor/toString` name no file (404, not 500)
  if (name.startsWith('vendor/')) {
    const vendor = name.slice('vendor/'.length);
    return Object.hasOwn(VENDOR_FILES, vendor) ? VENDOR_FILES[vendor] : undefined;
  }
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) return undefined;
  const file = path.join(PUBLIC_DIR, name);
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
}

/** An asset read and hashed once, read again when the file changed on disk (development). */
function loadAsset(name: string): Asset | undefined {
  const file = fileOf(name);
  if (!file) return undefined;
  const mtimeMs = fs.statSync(file).mtimeMs;
  const cached = assets.get(name);
  if (cached && cached.file === file && cached.mtimeMs === mtimeMs) return cached;
  const body = fs.readFileSync(file);
  const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 12);
  const asset: Asset = { file, mtimeMs, type: TYPES[path.extname(file)] ?? 'application/octet-stream', body, hash, etag: `"${hash}"` };
  assets.set(name, asset);
  return asset;
}

/** The URL a page links an asset by: its name with the content hash before the extension. */
export function assetUrl(name: string): string {
  const asset = loadAsset(name);
  if (!asset) throw new Error(`no static asset ${name}`);
  const ext = path.extname(name);
  return `/static/${name.slice(0, name.length - ext.length)}.${asset.hash}${ext}`;
}

function encodingFor(req: Request, ext: string): 'br' | 'gzip' | null {
  if (!COMPRESSIBLE.has(ext)) return null;
  // Brotli whenever it is accepted at all (browsers list it last, but it is the smaller one).
  const accepted = req.acceptsEncodings();
  return accepted.includes('br') ? 'br' : accepted.includes('gzip') ? 'gzip' : null;
}

function compressed(asset: Asset, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br') {
    return (asset.br ??= zlib.brotliCompressSync(asset.body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length },
    }));
  }
  return (asset.gzip ??= zlib.gzipSync(asset.body, { level: 9 }));
}

function send(req: Request, res: Response, asset: Asset, cacheControl: string): void {
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', asset.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)) {
    res.status(304).end();
    return;
  }
  const encoding = encodingFor(req, path.extname(asset.file));
  const body = encoding ? compressed(asset, encoding) : asset.body;
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.length);
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/** Under /static, a name that is no asset is a plain 404 for anyone (signed in or not). */
function notFound(res: Response): void {
  res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('not found');
}

export function staticRouter(): Router {
  const router = Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let requested: string;
    try {
      requested = decodeURIComponent(req.path.slice(1));
    } catch {
      return notFound(res);
    }
    const plain = loadAsset(requested);
    if (plain) return send(req, res, plain, REVALIDATE);
    // name.<hash>.ext: the hash names the content; an old hash after a deploy gets today's file, not cached long.
    const m = /^(.+)\.([0-9a-f]{12})(\.[a-z0-9]+)$/.exec(requested);
    const asset = m ? loadAsset(m[1] + m[3]) : undefined;
    if (!asset) return notFound(res);
    send(req, res, asset, asset.hash === m![2] ? IMMUTABLE : REVALIDATE);
  });
  return router;
}
