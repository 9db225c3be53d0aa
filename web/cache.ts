// A response cache for GET pages and API answers, valid only while the database is unchanged: its version is
// SQLite's data_version (commits by other connections, e.g. a `collect` process) plus this connection's
// total_changes (writes made here, e.g. the rollup compute), so any write anywhere invalidates every entry.
// Figures change once a day after a collect, and the committee projects the same pages many times.
import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../db';

interface Entry {
  version: string;
  type: string;
  disposition?: string;
  body: Buffer;
}

export interface CacheOptions {
  /** Entries kept (least recently used dropped first). */
  max?: number;
  /** What else the answer depends on besides URL and language: the auth guard sets res.locals.cacheScope (user/role). */
  scope?: (req: Request, res: Response) => string;
}

export function databaseVersion(db: Db): () => string {
  const changes = db.prepare('SELECT total_changes()').pluck();
  return () => `${db.pragma('data_version', { simple: true })}:${changes.get()}`;
}

export function responseCache(db: Db, today: () => string, opts: CacheOptions = {}): RequestHandler {
  const max = opts.max ?? 300;
  const entries = new Map<string, Entry>();
  const version = databaseVersion(db);
  return (req, res, next) => {
    if (req.method !== 'GET') return next();
    const scope = opts.scope?.(req, res) ?? String(res.locals.cacheScope ?? '');
    const key = `${req.originalUrl}\u0000${res.locals.lang}\u0000${scope}\u0000${today()}`;
    const v = version();
    const hit = entries.get(key);
    if (hit && hit.version === v) {
      entries.delete(key);
      entries.set(key, hit); // most recently used last
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
        entries.set(key, { version: v, type, disposition: res.get('content-disposition') ?? undefined, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });
        if (entries.size > max) entries.delete(entries.keys().next().value as string);
      }
      return send(body as never);
    };
    next();
  };
}
