// Memory stays bounded in a long-running server (issue 17: 300 cached 2.5 MB pages took the server from 382 MB
// to 1.15 GB; 200 k failed logins from 40 k addresses added 430 MB): the response cache holds at most
// RESPONSE_CACHE_MB of answers, least recently used dropped first; the login throttle forgets a key a window
// after its last failure and keeps at most a fixed number of keys. (RSS itself is measured by bench/soak.ts.)
import request from 'supertest';
import express from 'express';
import { LoginThrottle } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { createResponseCache, DEFAULT_CACHE_BYTES } from '../../web/cache';
import { openDatabase } from '../../db';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('the response cache is bounded by bytes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cache-'));
  const db = openDatabase(path.join(dir, 'c.db'));
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const PAGE = 256 * 1024;

  function appWith(maxBytes: number) {
    const cache = createResponseCache(db, () => '2026-11-23', { maxBytes });
    const app = express();
    app.use((_req, res, next) => {
      res.locals.lang = 'ru';
      next();
    });
    app.use(cache.middleware);
    app.get('/page/:n', (req, res) => {
      res.type('html').send(`<p>${req.params.n}</p>`.padEnd(PAGE, '.'));
    });
    return { app, cache };
  }

  test('300 distinct pages of 256 KB: the cache never holds more than its 4 MB bound; the oldest are evicted, the newest still served from it', async () => {
    const { app, cache } = appWith(4 * 1024 * 1024);
    for (let n = 1; n <= 300; n++) {
      const res = await request(app).get(`/page/${n}`);
      expect(res.headers['x-cache']).toBe('miss');
      expect(cache.stats().bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    expect(cache.stats().entries).toBeGreaterThanOrEqual(10);
    expect(cache.stats().entries).toBeLessThan(16);
    expect((await request(app).get('/page/300')).headers['x-cache']).toBe('hit');
    expect((await request(app).get('/page/1')).headers['x-cache']).toBe('miss');
  });

  test('least recently used goes first: a page read again stays while others are evicted', async () => {
    const { app } = appWith(4 * 1024 * 1024);
    await request(app).get('/page/keep');
    for (let n = 1; n <= 40; n++) {
      await request(app).get(`/page/${n}`);
      expect((await request(app).get('/page/keep')).headers['x-cache']).toBe('hit');
    }
  });

  test('an answer larger than the whole cache is served but not kept', async () => {
    const { app, cache } = appWith(PAGE / 2);
    expect((await request(app).get('/page/big')).status).toBe(200);
    expect((await request(app).get('/page/big')).headers['x-cache']).toBe('miss');
    expect(cache.stats().bytes).toBe(0);
  });

  test('RESPONSE_CACHE_MB sets the bound (default 64 MB); a bad value is refused naming the variable', () => {
    expect(loadConfig({ env: {} }).env.responseCacheBytes).toBe(DEFAULT_CACHE_BYTES);
    expect(loadConfig({ env: { RESPONSE_CACHE_MB: '8' } }).env.responseCacheBytes).toBe(8 * 1024 * 1024);
    expect(() => loadConfig({ env: { RESPONSE_CACHE_MB: 'lots' } })).toThrow(/RESPONSE_CACHE_MB: must be a number of megabytes/);
    expect(() => loadConfig({ env: { RESPONSE_CACHE_MB: '-1' } })).toThrow(/RESPONSE_CACHE_MB/);
  });
});

describe('the login throttle is bounded', () => {
  test('200,000 failures from 40,000 addresses keep at most its key cap', () => {
    const t = new LoginThrottle(5, 15 * 60_000, 10_000);
    const key = (address: number) => `10.${address >> 16}.${(address >> 8) & 255}.${address & 255}|admin`;
    for (let i = 0; i < 200_000; i++) t.fail(key(Math.floor(i / 5)), 1000);
    expect(t.size).toBeLessThanOrEqual(10_000);
    // the most recent addresses are still throttled
    const last = key(39_999);
    expect(t.blocked(last, 2000)).toBe(true);
  });

  test('a key is forgotten a window after its last failure', async () => {
    const t = new LoginThrottle(2, 50, 100);
    t.fail('a');
    t.fail('a');
    expect(t.blocked('a')).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.blocked('a')).toBe(false);
    expect(t.size).toBe(0);
  });

  test('one key keeps only its last `limit` failure times', () => {
    const t = new LoginThrottle(5, 60_000, 10);
    for (let i = 0; i < 10_000; i++) t.fail('x', 1000 + i);
    expect(t.blocked('x', 11_000)).toBe(true);
    expect(t.blocked('x', 11_000 + 60_000)).toBe(false);
  });
});
