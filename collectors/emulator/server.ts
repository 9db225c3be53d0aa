// The emulator's HTTP server: one node:http server on one port routes `/bot<token>/<method>` to the Bot
// API (bot.ts), `/__emulator/*` to the test controls, and everything else to the Graph API (graph.ts);
// it logs each request, applies the latency, and holds, drops or answers as the answer says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { URL } from 'node:url';
import { EmulatorState } from './state';
import { GRAPH_VERSION, graphErr, handleGraph, usageHeaders } from './graph';
import { botErr, handleBot } from './bot';
import { editChannelPost, previewPage } from './posts-api';
import { handleInstagram, INSTAGRAM_PREFIX } from './instagram';
import type { Answer, Emulator, EmulatorOptions, FaultRule } from './types';


async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 10 * 1024 * 1024) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('json') || /^\s*[{[]/.test(text)) {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function send(res: http.ServerResponse, a: Answer, extraHeaders: Record<string, string> = {}): void {
  const body = a.raw ?? JSON.stringify(a.body);
  res.writeHead(a.status, { 'content-type': 'application/json; charset=UTF-8', ...extraHeaders, ...(a.headers ?? {}) });
  res.end(body);
}

const sanitize = (p: string) =>
  p.replace(/\/bot[^/]+\//, '/bot[token]/').replace(/access_token=[^&]*/g, 'access_token=[token]').replace(/appsecret_proof=[^&]*/g, 'appsecret_proof=[proof]');

async function handle(st: EmulatorState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
  const { counters } = st;
  const url = new URL(req.url ?? '/', origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const at = Date.now();

  if (url.pathname.startsWith('/__emulator/')) {
    const what = url.pathname.slice('/__emulator/'.length);
    if (what === 'messages') return send(res, { status: 200, body: st.messages });
    if (what === 'stats') return send(res, { status: 200, body: { counters, requests: st.requestLog.length } });
    if (what === 'reset' && method === 'POST') {
      st.reset();
      return send(res, { status: 200, body: { ok: true } });
    }
    if (what === 'faults' && method === 'POST') {
      const rule = (await readBody(req)) as unknown as FaultRule;
      return send(res, { status: 200, body: { id: st.addRule(rule) } });
    }
    if (what === 'faults' && method === 'DELETE') {
      st.rules.clear();
      return send(res, { status: 200, body: { ok: true } });
    }
    return send(res, { status: 404, body: { error: 'unknown emulator endpoint' } });
  }

  let params: Record<string, unknown> = {};
  let parseError = false;
  try {
    params = await readBody(req);
  } catch {
    parseError = true;
  }

  // The Telegram public web preview (a separate site in reality: TELEGRAM_PREVIEW_ROOT points here).
  const preview = /^\/s\/([^/?]+)\/?$/.exec(url.pathname);
  if (preview && method === 'GET') {
    st.previewRequests++;
    const name = decodeURIComponent(preview[1]);
    const f = st.fault('telegram', `@${name.toLowerCase()}`);
    const a =
      f?.kind === 'empty_preview'
        ? previewPage(st.posts, st.postsState, name, new URLSearchParams({ before: '1' }), origin)
        : f
          ? { status: 500, raw: 'Internal Server Error', headers: { 'content-type': 'text/plain' } }
          : previewPage(st.posts, st.postsState, name, url.searchParams, origin);
    st.requestLog.push({ at, api: 'telegram', method, path: url.pathname + url.search, status: a.status });
    const wait = at + st.latencyMs - Date.now();
    if (st.latencyMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    res.writeHead(a.status, a.headers ?? {});
    res.end(a.raw ?? '');
    return;
  }

  const bot = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
  let answer: Answer;
  let api: 'graph' | 'telegram';
  let entries: number | undefined;
  let headers: Record<string, string> = {};
  if (bot) {
    api = 'telegram';
    counters.telegramRequests++;
    counters.byMethod[bot[2].toLowerCase()] = (counters.byMethod[bot[2].toLowerCase()] ?? 0) + 1;
    const q = Object.fromEntries(url.searchParams);
    answer = parseError ? botErr(400, 'Bad Request: invalid request body') : handleBot(st, decodeURIComponent(bot[1]), bot[2], { ...q, ...params });
  } else if (url.pathname === INSTAGRAM_PREFIX || url.pathname.startsWith(`${INSTAGRAM_PREFIX}/`)) {
    api = 'graph';
    counters.graphRequests++;
    counters.byMethod['instagram login'] = (counters.byMethod['instagram login'] ?? 0) + 1;
    answer = handleInstagram(st, method, url.pathname, url.searchParams, origin);
  } else {
    api = 'graph';
    counters.graphRequests++;
    if (parseError) {
      answer = graphErr(400, 100, '(#100) Invalid request body');
    } else {
      answer = handleGraph(st, method, url, params, req.headers.authorization, origin);
      if (Array.isArray(params.batch)) entries = params.batch.length;
      else if (typeof params.batch === 'string') entries = (params.batch.match(/relative_url/g) ?? []).length;
    }
    const key = `graph ${method === 'POST' ? 'batch' : url.pathname.split('/').length > 3 ? 'edge' : 'node'}`;
    counters.byMethod[key] = (counters.byMethod[key] ?? 0) + 1;
    headers = usageHeaders(st, url.pathname.replace(GRAPH_VERSION, '').split('/')[1] || 'app');
  }
  st.requestLog.push({ at, api, method, path: sanitize(url.pathname + url.search), status: answer.drop || answer.hang ? 0 : answer.status, entries });
  // Latency is time to the answer, as a client sees it: the work above happens inside it.
  const wait = at + st.latencyMs - Date.now();
  if (st.latencyMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));

  if (answer.drop) {
    req.socket.destroy();
    return;
  }
  if (answer.hang) {
    const t = setTimeout(() => req.socket.destroy(), st.hangMs);
    req.socket.once('close', () => clearTimeout(t));
    return;
  }
  if (answer.holdMs) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        st.held.delete(done);
        req.socket.off('close', done);
        resolve();
      };
      const t = setTimeout(done, answer.holdMs);
      st.held.add(done);
      req.socket.once('close', done);
    });
    if (req.socket.destroyed) return;
  }
  send(res, answer, headers);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const st = new EmulatorState(options);
  const server = http.createServer((req, res) => {
    handle(st, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: { message: String((e as Error)?.message ?? e), code: 1 } } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    instagramUrl: `http://${host}:${port}${INSTAGRAM_PREFIX}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Answer held long polls first (empty), so a polling client stops cleanly instead of seeing a reset.
        for (const done of [...st.held]) done();
        server.close(() => resolve());
        // Idle keep-alive connections close with the server; a request still open (a held fault) gets a moment.
        setTimeout(() => server.closeAllConnections(), 50).unref();
      }),
    reset: () => st.reset(),
    setFault: (rule) => st.addRule(rule),
    clearFault: (id) => void st.rules.delete(id),
    clearFaults: () => st.rules.clear(),
    setLatency: (ms) => {
      st.latencyMs = ms;
    },
    setUsage: (p) => {
      st.forcedUsage = p;
    },
    addUnknown: (id) => void st.unknown.add(id.toLowerCase()),
    grantPageTasks: (token, pages) => st.grantPageTasks(token, pages),
    addInstagramToken: (token, userId, expiresAt, issuedAt = Date.now() - 2 * 86_400_000) => void st.instagramTokens.set(token, { userId, expiresAt, issuedAt }),
    invalidateToken: (t) => void st.invalidTokens.add(t),
    audience: (id, date) => st.model.audience(id.startsWith('@') ? id.toLowerCase() : id, date ? Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000) : st.today()),
    messages: st.messages,
    requestLog: st.requestLog,
    counters: st.counters,
    posts: {
      delete: (platform, account, postId) => void st.postsState.deleted.add(`${platform}:${account.replace(/^@/, '').toLowerCase()}:${postId}`),
      addAdminChannel: (chat) => void st.postsState.adminChannels.set(chat, st.now().getTime()),
      editChannelPost: (chat, messageId, text) => editChannelPost(st.posts, st.postsState, chat, messageId, text),
      get previewRequests() {
        return st.previewRequests;
      },
    },
  };
}
