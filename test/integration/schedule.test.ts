import { startEmulator } from '../../collectors/emulator';
import { createServices } from '../../src/services';
import { startScheduler } from '../../src/scheduler';
import { dataJobs } from '../../src/jobs/schedule';
import { fixture, configFor } from '../helpers/collect';

describe('the serve scheduler for data jobs', () => {
  test('the daily collect is at 06:00 in the configured zone and, run, stores one snapshot per account', async () => {
    const emulator = await startEmulator({ port: 0 });
    const f = fixture();
    try {
      f.addAccount('facebook', '100000000000001');
      f.addAccount('telegram', '@kz_union_placeholder', { title: 'Канал' });
      const config = configFor(emulator.url);
      const scheduler = startScheduler(dataJobs(createServices(f.db, config)), config.timezone);
      try {
        const next = scheduler.nextRuns().find((j) => j.name === 'collect')!.next!;
        expect(next.getUTCHours()).toBe(1); // 06:00 Asia/Almaty = 01:00 UTC
        expect(next.getUTCMinutes()).toBe(0);
        expect(await scheduler.runNow('collect')).toBe('ran');
        expect(await scheduler.runNow('collect')).toBe('ran');
      } finally {
        await scheduler.stop();
      }
      const snapshots = f.db.prepare('SELECT account_id, COUNT(*) AS n FROM snapshots GROUP BY account_id').all() as { n: number }[];
      expect(snapshots).toHaveLength(2);
      expect(snapshots.every((s) => s.n === 1)).toBe(true);
      const runs = f.db.prepare("SELECT trigger, status, accounts_ok FROM collection_runs ORDER BY id").all();
      expect(runs).toEqual([
        { trigger: 'schedule', status: 'finished', accounts_ok: 2 },
        { trigger: 'schedule', status: 'finished', accounts_ok: 2 },
      ]);
    } finally {
      f.db.close();
      await emulator.close();
    }
  });
});
