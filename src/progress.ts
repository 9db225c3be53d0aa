// Progress of long CLI work on stderr (stdout stays clean for exports and tokens): a bar on a
// terminal, plain lines ("collect: 1200/3500 accounts (34%)") every 10 % or few seconds otherwise.
// Work that finishes within a second shows nothing, so quick commands keep a silent stderr.
import cliProgress from 'cli-progress';

export interface Progress {
  /** n more items done (default 1). */
  tick(n?: number): void;
  /** done items so far; a new total when the amount of work turns out different. */
  update(done: number, total?: number): void;
  /** Final state: the bar is closed, or the last plain line printed, if anything was shown. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is counted, after the numbers: "accounts", "lines". */
  unit?: string;
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: whether the stream is a terminal. */
  tty?: boolean;
  /** Nothing is shown before the work has run this long (default 1 s)… */
  delayMs?: number;
  /** …counted from here (unix ms; default: now), e.g. the start of the command when a later phase begins. */
  since?: number;
  /** Plain lines: also one when this long has passed since the last (default 5 s). */
  intervalMs?: number;
  now?: () => number;
}

interface View {
  show(done: number, total: number): void;
  end(done: number, total: number): void;
}

export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const tty = opts.tty ?? stream.isTTY === true;
  const started = opts.since ?? now();
  const delayMs = opts.delayMs ?? 1_000;
  let view: View | undefined;
  let done = 0;
  let stopped = false;
  const refresh = () => {
    if (stopped) return;
    if (!view) {
      if (now() - started < delayMs) return;
      view = tty ? barView(label, unit, stream) : lineView(label, unit, stream, opts.intervalMs ?? 5_000, now);
    }
    view.show(done, total);
  };
  return {
    tick: (n = 1) => {
      done += n;
      refresh();
    },
    update: (d, t) => {
      done = d;
      if (t !== undefined) total = t;
      refresh();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      view?.end(done, total);
    },
  };
}

function barView(label: string, unit: string, stream: NodeJS.WritableStream): View {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total}${unit} ({percentage}%) ETA {eta_formatted}`,
      stream: stream as NodeJS.WriteStream,
      hideCursor: true,
      // import and compute write in one synchronous transaction: no timer would get a turn to redraw
      synchronousUpdate: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let shownTotal = -1;
  const show = (done: number, total: number) => {
    if (!started) {
      bar.start(total, done);
      started = true;
    } else if (total !== shownTotal) {
      bar.setTotal(total);
    }
    shownTotal = total;
    bar.update(done);
  };
  return {
    show,
    end: (done, total) => {
      show(done, total);
      bar.stop();
    },
  };
}

function lineView(label: string, unit: string, stream: NodeJS.WritableStream, intervalMs: number, now: () => number): View {
  let printedDone = -1;
  let printedDecile = -1;
  let printedAt = 0;
  const percent = (done: number, total: number) => (total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100);
  const print = (done: number, total: number) => {
    const p = percent(done, total);
    stream.write(`${label}: ${done}/${total}${unit} (${p}%)\n`);
    printedDone = done;
    printedDecile = Math.floor(p / 10);
    printedAt = now();
  };
  return {
    show: (done, total) => {
      if (done === printedDone) return;
      if (Math.floor(percent(done, total) / 10) > printedDecile || now() - printedAt >= intervalMs) print(done, total);
    },
    end: (done, total) => {
      if (done !== printedDone) print(done, total);
    },
  };
}
