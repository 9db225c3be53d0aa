import { guarded, startScheduler } from '../../src/scheduler';
import type { Logger } from '../../src/log';

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (msg: string, f?: Record<string, unknown>) => lines.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`);
  return { lines, debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error') };
}

describe('scheduled jobs', () => {
  test('a job never overlaps itself: a second start while it runs is skipped', async () => {
    const log = memoryLog();
    let release!: () => void;
    let runs = 0;
    const run = guarded({ name: 'collect', cron: '0 6 * * *', run: () => { runs++; return new Promise<void>((r) => (release = r)); } }, log);
    const first = run();
    expect(await run()).toBe('busy');
    release();
    expect(await first).toBe('ran');
    expect(runs).toBe(1);
    expect(await Promise.race([run(), new Promise((r) => setTimeout(() => r('hung'), 50))])).toBe('hung');
    release();
    expect(log.lines.some((l) => l.startsWith('warn job still running'))).toBe(true);
  });

  test('a failing job is logged with its duration and the scheduler survives', async () => {
    const log = memoryLog();
    const run = guarded({ name: 'compute', cron: '* * * * *', run: () => { throw new Error('disk full'); } }, log);
    expect(await run()).toBe('failed');
    expect(log.lines.find((l) => l.startsWith('error job failed'))).toMatch(/"error":"disk full"/);
    expect(await run()).toBe('failed');
  });

  test('jobs are scheduled in the configured time zone; duplicates and bad cron are refused', async () => {
    const log = memoryLog();
    const s = startScheduler([{ name: 'weekly-summary', cron: '0 9 * * 1', run: () => undefined }], 'Asia/Almaty', log);
    const next = s.nextRuns()[0].next!;
    // 09:00 in Asia/Almaty (UTC+5) is 04:00 UTC, on a Monday.
    expect(next.getUTCHours()).toBe(4);
    expect(next.getUTCDay()).toBe(1);
    expect(await s.runNow('weekly-summary')).toBe('ran');
    await s.stop();
    expect(() => startScheduler([{ name: 'a', cron: '0 6 * * *', run: () => 1 }, { name: 'a', cron: '0 7 * * *', run: () => 1 }], 'Asia/Almaty', log)).toThrow(/twice/);
    expect(() => startScheduler([{ name: 'b', cron: 'every day', run: () => 1 }], 'Asia/Almaty', log)).toThrow(/invalid cron/);
  });
});
