// A response cache for GET pages and API answers, valid only while the database is unchanged: its version is
// SQLite's data_version (commits by other connections, e.g. a `collect` process) plus this connection's
// total_changes (writes made here, e.g. the rollup compute), so any write anywhere invalidates every entry.
// Figures change once a day after a collect, and the committee projects the same pages many times.
// Memory is bounded by bytes (RESPONSE_CACHE_MB, default 64): pages and API answers share one LRU of that size
// (lru-cache's maxSize), each counted by its body (and its gzip copy) plus its key; the least recently used go
// first, and nothing is kept longer than a day.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db';
import { databaseVersion } from '../db/version';
import { bearerToken, tokenScope } from './auth';

interface Entry {
  version: string;
  type: string;
  disposition?: string;
  body: Buffer;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** While a collect runs, how long a page's cached answer outlives the run's commits (see pagesVersion). */
export const COLLECT_SETTLE_MS = 5_000;
/** A collect lock whose heartbeat is older than this is a dead run's (src/jobs/collect/lock.ts beats every few seconds). */
const LOCK_FRESH_MS = 120_000;
/** What an entry costs beyond its body: its key, headers and bookkeeping (an estimate). */
const ENTRY_OVERHEAD = 512;
const DAY_MS = 86_400_000;

export interface CacheOptions {
  /** Bytes kept at most (bodies, gzip copies and keys; least recently used dropped first). */
  maxBytes?: number;
  /** While a collect runs, how long cached pages outlive its commits (default COLLECT_SETTLE_MS). */
  settleMs?: number;
  /** What else the answer depends on besides URL and language: the auth guard sets res.locals.cacheScope (user/role). */
  scope?: (req: Request, res: Response) => string;
}

/** An API answer kept with every header it was sent with, to be replayed without Express. */
interface FastEntry {
  version: string;
  headers: Record<string, string | number | string[]>;
  body: Buffer;
  /** The body gzip-compressed, made on the first replay to a client that accepts it. */
  gzip?: Buffer;
}

/** Replies at least this big go gzip-compressed to clients that accept it (as the compression middleware does). */
const FAST_COMPRESS_MIN = 1024;

export interface ResponseCache {
  middleware: RequestHandler;
  /**
   * Answers a Bearer-token GET of the JSON API from the cache straight at the HTTP layer, before Express
   * (its routing and middleware cost more than the answer); false when it has no valid entry, and Express
   * takes the request. An entry is only stored after the whole chain (sign-in, rollups, route) answered 200
   * for that same token, URL and day, and it is dropped by any write to the database (a revoked token too).
   */
  fast(req: IncomingMessage, res: ServerResponse): boolean;
  /** The next page is answered from the database as it is now (a change made here, not by a collect). */
  settle(): void;
  /** What the cache holds now (entries, bytes as counted) and its bound. */
  stats(): { entries: number; bytes: number; maxBytes: number };
}

export function responseCache(db: Db, today: () => string, opts: CacheOptions = {}): RequestHandler {
  return createResponseCache(db, today, opts).middleware;
}

export function createResponseCache(db: Db, today: () => string, opts: CacheOptions = {}): ResponseCache {
  const maxSize = Math.max(1, Math.floor(opts.maxBytes ?? DEFAULT_CACHE_BYTES));
  const lru = new LRUCache<string, Entry | FastEntry>({
    maxSize,
    // An answer bigger than the whole cache is not kept (lru-cache refuses it rather than emptying everything).
    maxEntrySize: maxSize,
    sizeCalculation: (v, key) => v.body.length + ((v as FastEntry).gzip?.length ?? 0) + key.length * 2 + ENTRY_OVERHEAD,
    ttl: DAY_MS,
  });
  const entries = {
    get: (key: string) => lru.get(`p\u0000${key}`) as Entry | undefined,
    set: (key: string, e: Entry) => lru.set(`p\u0000${key}`, e),
  };
  const fastEntries = {
    get: (key: string) => lru.get(`f\u0000${key}`) as FastEntry | undefined,
    set: (key: string, e: FastEntry) => lru.set(`f\u0000${key}`, e),
  };
  const version = databaseVersion(db);
  const pages = pagesVersion(db, version, opts.settleMs ?? COLLECT_SETTLE_MS);
  const fastKey = (url: string, scope: string) => `${url}\u0000${scope}\u0000${today()}`;
  const middleware: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET') {
      // A change made through this server (an admin form) shows on the next page at once, collect or not.
      res.on('finish', pages.settle);
      return next();
    }
    const scope = opts.scope?.(req, res) ?? String(res.locals.cacheScope ?? '');
    const key = `${req.originalUrl}\u0000${res.locals.lang}\u0000${scope}\u0000${today()}`;
    const v = pages.version();
    const hit = entries.get(key);
    if (hit && hit.version === v) {
      // Straight to the socket: the stored bytes need none of res.send's work.
      res.setHeader('x-cache', 'hit');
      res.setHeader('content-type', hit.type);
      res.setHeader('content-length', hit.body.length);
      if (hit.disposition) res.setHeader('content-disposition', hit.disposition);
      res.end(hit.body);
      return;
    }
    res.set('x-cache', 'miss');
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (res.statusCode === 200 && (typeof body === 'string' || Buffer.isBuffer(body))) {
        const type = String(res.get('content-type') ?? 'application/octet-stream');
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
        entries.set(key, { version: v, type, disposition: res.get('content-disposition') ?? undefined, body: bytes });
        const fastable = req.originalUrl.startsWith('/api/v1/') && !req.originalUrl.includes('lang=') && res.locals.principal?.kind === 'token';
        if (fastable && scope) {
          const headers = { ...res.getHeaders() } as FastEntry['headers'];
          delete headers['set-cookie'];
          headers['x-cache'] = 'hit';
          headers['content-type'] = type;
          headers['content-length'] = bytes.length;
          fastEntries.set(fastKey(req.originalUrl, scope), { version: v, headers, body: bytes });
        }
      }
      return send(body as never);
    };
    next();
  };
  const fast = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' || !req.url?.startsWith('/api/v1/')) return false;
    const token = bearerToken(req.headers.authorization);
    if (!token) return false;
    const key = fastKey(req.url, tokenScope(token));
    const hit = fastEntries.get(key);
    if (!hit || hit.version !== version()) return false;
    // JSON compresses about tenfold; the replay does what the compression middleware does for the first answer.
    if (hit.body.length >= FAST_COMPRESS_MIN && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      if (!hit.gzip) {
        hit.gzip = gzipSync(hit.body);
        fastEntries.set(key, hit); // counted again with its gzip copy
      }
      res.writeHead(200, { ...hit.headers, 'content-length': hit.gzip.length, 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
      res.end(hit.gzip);
      return true;
    }
    res.writeHead(200, hit.headers);
    res.end(hit.body);
    return true;
  };
  return { middleware, fast, settle: pages.settle, stats: () => ({ entries: lru.size, bytes: lru.calculatedSize, maxBytes: maxSize }) };
}

/**
 * The version cached pages are checked against. Outside a collect it is the database's (any write anywhere
 * drops every page at once). While a collect runs (its lock is held) its commits — a batch of readings every
 * few hundred milliseconds, which invalidated every page under load — move it at most every `settleMs`, and
 * at once when the run ends (the lock row goes) or when this server made a change (`settle`). The rollups the
 * figures come from are only recomputed when the run ends, so pages lag nothing but the channels' latest
 * readings, by at most `settleMs`. The API fast path keeps the exact version (a revoked token stops at once).
 */
function pagesVersion(db: Db, exact: () => string, settleMs: number): { version: () => string; settle: () => void } {
  const lock = db.prepare("SELECT heartbeat_at FROM job_locks WHERE name = 'collect'").pluck();
  let held: { v: string; at: number } | undefined;
  return {
    version() {
      const v = exact();
      if (held?.v === v) return v;
      const beat = lock.get() as number | undefined;
      const now = Date.now();
      if (beat === undefined || now - beat > LOCK_FRESH_MS) {
        held = undefined;
        return v;
      }
      if (!held || now - held.at >= settleMs) held = { v, at: now };
      return held.v;
    },
    settle() {
      held = undefined;
    },
  };
}
