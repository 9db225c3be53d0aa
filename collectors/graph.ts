// Graph API access through facebook-nodejs-business-sdk, shared by the Facebook and Instagram
// collectors: per-instance base URL, timeouts, usage headers, typed errors, and batched node reads.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import axios from 'axios';
import { FacebookAdsApi } from 'facebook-nodejs-business-sdk';
import {
  CollectorError,
  GRAPH_LONG_WAIT_CODES,
  InvalidTokenError,
  MalformedResponseError,
  RetryPolicy,
  Semaphore,
  TimeoutError,
  TransientError,
  UsageThrottle,
  backoffDelay,
  errorMessage,
  graphError,
  isCollectorError,
  registerSecret,
  sleep,
  withRetry,
} from './http';
import type { CollectSettings } from './types';

// The SDK builds its own axios options (no timeout, headers only through a flag that breaks on a
// non-JSON body), so each call runs inside an async context that these interceptors read. They
// act only on requests made through GraphClient, so other axios users are untouched.
interface CallScope {
  signal: AbortSignal;
  headers?: Record<string, unknown>;
  status?: number;
  malformed?: boolean;
}
const scope = new AsyncLocalStorage<CallScope>();
let interceptorsInstalled = false;
function installInterceptors(): void {
  if (interceptorsInstalled) return;
  interceptorsInstalled = true;
  axios.interceptors.request.use((config) => {
    const s = scope.getStore();
    if (s) config.signal = s.signal;
    return config;
  });
  axios.interceptors.response.use(
    (res) => {
      const s = scope.getStore();
      if (s) {
        s.headers = res.headers as Record<string, unknown>;
        s.status = res.status;
        if (typeof res.data === 'string') s.malformed = true;
      }
      return res;
    },
    (err: { response?: { headers?: Record<string, unknown>; status?: number; data?: unknown } }) => {
      const s = scope.getStore();
      if (s && err?.response) {
        s.headers = err.response.headers;
        s.status = err.response.status;
        const d = err.response.data;
        if (typeof d === 'string') {
          try {
            JSON.parse(d);
          } catch {
            s.malformed = true;
          }
        }
      }
      return Promise.reject(err);
    },
  );
}

/** What Facebook and Instagram collectors share: one concurrency limit and one usage throttle per app. */
export class GraphTransport {
  readonly semaphore: Semaphore;
  readonly throttle: UsageThrottle;
  readonly baseUrl: string;
  constructor(readonly settings: CollectSettings) {
    this.baseUrl = settings.graphUrl.replace(/\/+$/, '');
    this.semaphore = new Semaphore(settings.concurrency);
    this.throttle = new UsageThrottle({ maxSpacingMs: settings.usageMaxSpacingMs, pauseMs: settings.rateLimitPauseMs });
  }
  get retryPolicy(): RetryPolicy {
    return { maxRetries: this.settings.maxRetries, baseDelayMs: this.settings.retryBaseMs, maxDelayMs: this.settings.retryMaxMs };
  }
}

/** `appsecret_proof` for a token: lower-case hex HMAC-SHA256 of the token keyed with the app secret. */
export function appsecretProof(token: string, appSecret: string): string {
  return crypto.createHmac('sha256', appSecret).update(token).digest('hex');
}

export type BatchEntry = { kind: 'ok'; body: Record<string, unknown> } | { kind: 'error'; error: CollectorError } | { kind: 'null' };

/** One token's view of the Graph API. */
export class GraphClient {
  private readonly api: FacebookAdsApi;
  /** Set once the token is known to be invalid: no further requests are sent with it. */
  deadError?: CollectorError;

  constructor(
    readonly token: string,
    readonly transport: GraphTransport,
    private readonly countRequest: (n?: number) => void,
    /** graph.instagram.com for Instagram Login accounts: another API root, and no Facebook appsecret_proof. */
    opts: { baseUrl?: string; instagramLogin?: boolean } = {},
  ) {
    registerSecret(token);
    registerSecret(transport.settings.appSecret);
    installInterceptors();
    // crash_log=false: the SDK's default installs a process-wide uncaughtException reporter.
    this.api = new FacebookAdsApi(token, 'en_US', false);
    const base = (opts.baseUrl ?? transport.baseUrl).replace(/\/+$/, '');
    const call = this.api.call.bind(this.api);
    const secret = opts.instagramLogin ? undefined : transport.settings.appSecret;
    const proof = secret ? appsecretProof(token, secret) : undefined;
    // Per-instance base URL (the SDK's GRAPH is a static getter): the 6th argument is its URL override.
    // With an app secret, every call carries the proof of this client's token (the SDK has no option for it).
    this.api.call = ((method: string, path: string | string[], params?: Record<string, unknown>, files?: Record<string, unknown>, multipart?: boolean, url?: string) =>
      call(method, path, proof ? { ...(params ?? {}), appsecret_proof: proof } : params, files, multipart, url || base)) as FacebookAdsApi['call'];
  }

  /** A batch entry's relative URL read with another token (a Page token): its own access_token and proof. */
  withToken(relativeUrl: string, token: string): string {
    const secret = this.transport.settings.appSecret;
    const sep = relativeUrl.includes('?') ? '&' : '?';
    return `${relativeUrl}${sep}access_token=${encodeURIComponent(token)}${secret ? `&appsecret_proof=${appsecretProof(token, secret)}` : ''}`;
  }

  /** One HTTP request, paced and timed out, answering the parsed JSON body or throwing a typed error. */
  async request(method: 'GET' | 'POST', path: string[], params: Record<string, unknown>, what: string): Promise<unknown> {
    if (this.deadError) throw this.deadError;
    const { semaphore, throttle, settings } = this.transport;
    return semaphore.run(async () => {
      await throttle.wait();
      if (this.deadError) throw this.deadError;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
      const s: CallScope = { signal: controller.signal };
      this.countRequest(1);
      try {
        const body = await scope.run(s, () => this.api.call<unknown>(method, path, params));
        throttle.observe(s.headers);
        if (s.malformed || body === null || typeof body !== 'object') throw new MalformedResponseError(`${what}: the answer is not valid JSON`);
        return body;
      } catch (e) {
        throttle.observe(s.headers);
        const err = this.toTyped(e, s, controller.signal.aborted, what);
        if (err.kind === 'rate_limit') throttle.pause(err.retryAfterMs ?? pauseFor(err, settings.rateLimitPauseMs));
        if (err.kind === 'invalid_token') this.deadError = err;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  private toTyped(e: unknown, s: CallScope, timedOut: boolean, what: string): CollectorError {
    if (isCollectorError(e)) return e;
    if (timedOut) return new TimeoutError(`${what}: no answer within ${this.transport.settings.timeoutMs} ms`);
    if (s.malformed) return new MalformedResponseError(`${what}: the answer is not valid JSON (HTTP ${s.status ?? '?'})`);
    const fe = e as { name?: string; status?: number | null; response?: unknown };
    if (fe?.name === 'FacebookRequestError') {
      if (fe.status == null) return new TransientError(`${what}: connection closed without an answer`);
      const body = fe.response && typeof fe.response === 'object' ? (fe.response as Record<string, unknown>) : undefined;
      return graphError(body as never, fe.status, what);
    }
    if (e instanceof SyntaxError) return new MalformedResponseError(`${what}: the answer is not valid JSON`);
    return new TransientError(`${what}: ${errorMessage(e)}`);
  }

  /** One batch request (≤ 50 entries). Entry errors come back per entry; request-level failures throw. */
  async batch(relativeUrls: readonly string[]): Promise<BatchEntry[]> {
    const batch = relativeUrls.map((relative_url) => ({ method: 'GET', relative_url }));
    const raw = await this.request('POST', [], { batch, include_headers: false }, 'Graph batch');
    if (!Array.isArray(raw) || raw.length !== relativeUrls.length) throw new MalformedResponseError('Graph batch: the answer is not an array of the expected length');
    return raw.map((entry: unknown): BatchEntry => {
      if (entry === null || entry === undefined) return { kind: 'null' };
      const e = entry as { code?: number; body?: unknown };
      let body: unknown = e.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          return { kind: 'error', error: new MalformedResponseError('Graph batch entry: the body is not valid JSON') };
        }
      }
      if (!body || typeof body !== 'object') return { kind: 'error', error: new MalformedResponseError('Graph batch entry: empty body') };
      const b = body as Record<string, unknown>;
      if (b.error || (e.code !== undefined && e.code !== 200)) {
        const err = graphError(b.error as never, e.code, 'Graph');
        if (err.kind === 'rate_limit') this.transport.throttle.pause(pauseFor(err, this.transport.settings.rateLimitPauseMs));
        return { kind: 'error', error: err };
      }
      return { kind: 'ok', body: b };
    });
  }
}

/** 341 and 368 ask for a longer wait than an ordinary rate limit. */
function pauseFor(err: CollectorError, pauseMs: number): number {
  return err.code !== undefined && GRAPH_LONG_WAIT_CODES.has(err.code) ? pauseMs * (err.code === 368 ? 6 : 3) : pauseMs;
}

export interface BatchItem {
  key: number;
  relativeUrl: string;
  /** Used in failure messages: what was read. */
  label: string;
  /** The entry carries its own token (a Page token): its invalid-token answer does not condemn the client's token. */
  ownToken?: boolean;
}

/**
 * Read many nodes in batches of `batchSize`: the whole request is retried on transient faults,
 * entries that time out (null) or fail transiently are retried in a smaller batch, and an invalid
 * token ends its items at once. done() is called exactly once per item.
 */
export async function readInBatches(
  client: GraphClient,
  items: readonly BatchItem[],
  done: (item: BatchItem, result: { ok: true; body: Record<string, unknown> } | { ok: false; error: CollectorError }) => void,
): Promise<void> {
  const { settings } = client.transport;
  const policy = client.transport.retryPolicy;
  const size = Math.max(1, Math.min(50, settings.batchSize));

  const runChunk = async (chunk: readonly BatchItem[], attempt: number, split = false): Promise<void> => {
    if (client.deadError) {
      for (const it of chunk) done(it, { ok: false, error: client.deadError });
      return;
    }
    let entries: BatchEntry[];
    try {
      entries = await withRetry(() => client.batch(chunk.map((c) => c.relativeUrl)), split ? { ...policy, maxRetries: Math.min(1, policy.maxRetries) } : policy);
    } catch (e) {
      const err = isCollectorError(e) ? e : new CollectorError('other', errorMessage(e));
      // One account can break a whole batch (a dropped connection, a broken body): halve the batch
      // until the culprit is alone, so the healthy accounts in it are still read.
      if (chunk.length > 1 && (err.kind === 'transient' || err.kind === 'timeout' || err.kind === 'malformed')) {
        const mid = Math.ceil(chunk.length / 2);
        await Promise.all([runChunk(chunk.slice(0, mid), attempt, true), runChunk(chunk.slice(mid), attempt, true)]);
        return;
      }
      for (const it of chunk) done(it, { ok: false, error: relabel(err, it.label) });
      return;
    }
    const again: BatchItem[] = [];
    let lastError: CollectorError | undefined;
    entries.forEach((entry, i) => {
      const it = chunk[i];
      if (entry.kind === 'ok') return done(it, { ok: true, body: entry.body });
      if (entry.kind === 'error' && entry.error instanceof InvalidTokenError && !it.ownToken) client.deadError = entry.error;
      const err = entry.kind === 'null' ? new TimeoutError(`${it.label}: the batch entry timed out`) : entry.error;
      if (err.retryable && attempt < policy.maxRetries) {
        again.push(it);
        lastError = err;
      } else {
        done(it, { ok: false, error: relabel(err, it.label) });
      }
    });
    if (again.length > 0) {
      await sleep(backoffDelay(attempt + 1, policy, lastError?.retryAfterMs));
      await runChunk(again, attempt + 1, split);
    }
  };

  const chunks: BatchItem[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  await Promise.all(chunks.map((c) => runChunk(c, 0)));
}

function relabel(err: CollectorError, label: string): CollectorError {
  if (err.message.startsWith(label)) return err;
  return new CollectorError(err.kind, `${label}: ${err.message}${err.retryable ? ' (after retries)' : ''}`, { code: err.code });
}
