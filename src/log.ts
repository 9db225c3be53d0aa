// Structured logging to stderr, one line per event, with every known secret redacted.
const secrets = new Set<string>();

/** Registers a secret (a token) so that it never appears in any log line or error text. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

const TOKEN_PATTERNS: [RegExp, string][] = [
  [/(access_token=)[^&\s"']+/gi, '$1[redacted]'],
  [/(\/bot)\d+:[A-Za-z0-9_-]+/g, '$1[redacted]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  for (const [re, rep] of TOKEN_PATTERNS) out = out.replace(re, rep);
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Sink = (line: string) => void;
let sink: Sink = (line) => process.stderr.write(line + '\n');
let minLevel: Level = (process.env.LOG_LEVEL as Level) in ORDER ? (process.env.LOG_LEVEL as Level) : 'info';

/** Replaces where log lines go (tests capture them); returns the previous sink. */
export function setLogSink(next: Sink): Sink {
  const prev = sink;
  sink = next;
  return prev;
}

export function setLogLevel(level: Level): void {
  minLevel = level;
}

function fieldText(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

export function createLogger(module: string): Logger {
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const parts = [new Date().toISOString(), level.toUpperCase(), `[${module}]`, msg];
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${fieldText(v)}`);
    sink(redact(parts.join(' ')));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
