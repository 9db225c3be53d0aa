// The collect job against the emulator with the real SDKs (facebook-nodejs-business-sdk, telegraf):
// readings stored one per account per local date, faults turned into recorded gaps, never zeros.
import { startEmulator, type Emulator, type FaultKind } from '../../collectors/emulator';
import { igIdForPage } from '../../collectors/emulator/model';
import { CollectBusyError, runCollect, type CollectJobOptions } from '../../src/jobs/collect';
import { localDate, toEpochDay } from '../../src/domain/dates';
import { FAST, configFor, failures, fixture, snapshots, type Fixture } from '../helpers/collect';
import { updateRollups } from '../../src/services';

let emu: Emulator;
let fx: Fixture;

beforeAll(async () => {
  emu = await startEmulator({ seed: 'collect-test', hangMs: 5_000, pageTasks: { 'EAAtest-fb-token': '*' } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  fx = fixture();
});
afterEach(() => fx.db.close());

const today = () => toEpochDay(localDate('Asia/Almaty'));

function run(extra: Partial<CollectJobOptions> = {}, env: Record<string, string> = {}) {
  return runCollect({ db: fx.db, config: configFor(emu.url, env), onSnapshotsChanged: updateRollups, settings: FAST, env, ...extra });
}

function addMany(platform: 'facebook' | 'instagram' | 'telegram', n: number, start = 0): string[] {
  const ids = Array.from({ length: n }, (_, i) =>
    platform === 'facebook' ? `1000000000${String(start + i).padStart(5, '0')}` : platform === 'instagram' ? `178414000${String(start + i).padStart(8, '0')}` : `@chan_${start + i}`,
  );
  ids.forEach((id) => fx.addAccount(platform, id, platform === 'telegram' ? { title: `Channel ${id}` } : {}));
  return ids;
}

const idOf = (platformId: string) => (fx.db.prepare('SELECT id FROM accounts WHERE platform_id = ?').get(platformId) as { id: number }).id;

describe('a healthy run', () => {
  test('stores one api snapshot per account for today, equal to what the platform reports', async () => {
    const fb = addMany('facebook', 120);
    const ig = addMany('instagram', 60);
    const tg = addMany('telegram', 10);
    const r = await run();
    expect(r.accountsOk).toBe(190);
    expect(r.accountsFailed).toBe(0);
    const snaps = snapshots(fx.db);
    expect(snaps).toHaveLength(190);
    for (const id of [...fb, ...ig, ...tg]) {
      const s = snaps.find((x) => x.account_id === idOf(id))!;
      expect(s).toMatchObject({ day: today(), source: 0, audience: emu.audience(id) });
    }
    // ≤ 1 Graph request per 50 accounts: 120 pages → 3 batches, 60 IG accounts → 2.
    expect(r.perPlatform.facebook!.requests).toBe(3);
    expect(r.perPlatform.instagram!.requests).toBe(2);
    expect(r.perPlatform.telegram!.requests).toBe(10);
    const runRow = fx.db.prepare('SELECT * FROM collection_runs WHERE id = ?').get(r.runId) as Record<string, unknown>;
    expect(runRow).toMatchObject({ status: 'finished', accounts_total: 190, accounts_ok: 190, accounts_failed: 0, requests: 15 });
    expect(runRow.duration_ms).toEqual(expect.any(Number));
  });

  test('running twice on one day leaves one snapshot per account', async () => {
    addMany('facebook', 5);
    addMany('telegram', 5);
    await run();
    await run();
    const rows = fx.db.prepare('SELECT account_id, day, COUNT(*) AS n FROM snapshots GROUP BY account_id, day').all() as { n: number }[];
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect((fx.db.prepare("SELECT COUNT(*) AS n FROM collection_runs WHERE status = 'finished'").get() as { n: number }).n).toBe(2);
  });

  test('--platform, --org and --account narrow the run', async () => {
    const region = fx.addOrg('pavlodar', fx.orgId);
    fx.addAccount('facebook', '200000000000001', { orgId: region });
    fx.addAccount('telegram', '@pavlodar_chan', { orgId: region, title: 'P' });
    addMany('facebook', 3);
    expect((await run({ platform: 'telegram' })).accountsTotal).toBe(1);
    expect((await run({ orgSlug: 'pavlodar' })).accountsTotal).toBe(2);
    expect((await run({ account: '@pavlodar_chan' })).accountsTotal).toBe(1);
    await expect(run({ orgSlug: 'nowhere' })).rejects.toThrow(/no organisation with slug "nowhere"/);
  });

  test('closed accounts are not collected', async () => {
    fx.addAccount('facebook', '300000000000001', { closedDay: today() - 1 });
    fx.addAccount('facebook', '300000000000002');
    const r = await run();
    expect(r.accountsTotal).toBe(1);
  });

  test('a channel title is fetched once with getChat, then only the count is read', async () => {
    fx.addAccount('telegram', '@untitled_channel');
    const first = await run();
    expect(first.perPlatform.telegram!.requests).toBe(2);
    expect((fx.db.prepare('SELECT title FROM accounts').get() as { title: string }).title).toBe('Channel untitled_channel');
    const second = await run();
    expect(second.perPlatform.telegram!.requests).toBe(1);
  });
});

describe('faults on one account: the others are collected, the failed one is a recorded gap', () => {
  const cases: Array<[FaultKind, string, string, RegExp]> = [
    ['rate_limit', 'rate_limit', 'rate_limit', /too many calls|Too Many Requests/i],
    ['server_error', 'transient', 'transient', /unknown error|Bad Gateway|connection/i],
    ['timeout', 'timeout', 'timeout', /timed out|timeout/i],
    ['malformed', 'malformed', 'malformed', /not valid JSON/i],
    ['drop', 'transient', 'transient', /connection/i],
    ['unknown', 'not_found', 'not_found', /does not exist|chat not found/i],
    ['permission', 'permission', 'permission', /permission|kicked/i],
  ];

  test.each(cases)('%s', async (kind, graphKind, tgKind, message) => {
    const fb = addMany('facebook', 60);
    const ig = addMany('instagram', 10);
    const tg = addMany('telegram', 6);
    const badFb = fb[17];
    const badIg = ig[3];
    const badTg = tg[2];
    emu.setFault({ kind, api: 'graph', target: badFb, retryAfter: 30 });
    emu.setFault({ kind, api: 'graph', target: badIg, retryAfter: 30 });
    emu.setFault({ kind, api: 'telegram', target: badTg, retryAfter: 30 });

    const r = await run();

    const bad = new Set([badFb, badIg, badTg].map(idOf));
    const snaps = snapshots(fx.db);
    expect(snaps).toHaveLength(76 - 3);
    expect(snaps.some((s) => bad.has(s.account_id))).toBe(false); // a gap, never a zero
    for (const s of snaps) expect(s.audience).toBeGreaterThan(0);
    expect(r.accountsOk).toBe(73);
    expect(r.accountsFailed).toBe(3);
    const f = failures(fx.db, r.runId);
    expect(f.map((x) => x.account_id).sort()).toEqual([...bad].sort());
    expect(f.find((x) => x.account_id === idOf(badFb))).toMatchObject({ kind: graphKind, message: expect.stringMatching(message) });
    expect(f.find((x) => x.account_id === idOf(badIg))).toMatchObject({ kind: graphKind });
    expect(f.find((x) => x.account_id === idOf(badTg))).toMatchObject({ kind: tgKind, message: expect.stringMatching(message) });
    expect(f.find((x) => x.account_id === idOf(badFb))!.message).toContain(badFb);
  });

  test.each<FaultKind>(['rate_limit', 'server_error', 'timeout', 'batch_null', 'malformed', 'drop'])('a passing %s is retried and every account is read', async (kind) => {
    addMany('facebook', 60);
    const tg = addMany('telegram', 4);
    const fb0 = '100000000000005';
    emu.setFault({ kind, api: 'graph', target: fb0, times: 2 });
    emu.setFault({ kind, api: 'telegram', target: tg[1], times: 1, retryAfter: 0 });
    const r = await run();
    expect(r.accountsFailed).toBe(0);
    expect(snapshots(fx.db)).toHaveLength(64);
  });
});

describe('faults on whole requests', () => {
  test('random rate limits, 5xx, timeouts, malformed bodies and dropped connections lose no reading', async () => {
    addMany('facebook', 200);
    addMany('instagram', 50);
    addMany('telegram', 30);
    for (const kind of ['rate_limit', 'server_error', 'timeout', 'malformed', 'drop'] as FaultKind[]) {
      emu.setFault({ kind, probability: 0.08 });
    }
    emu.setFault({ kind: 'batch_null', target: '*', probability: 0.05 });
    // retry_after (1 s) is honoured: the wait cap is raised above it.
    const r = await run({ settings: { ...FAST, maxRetries: 8, timeoutMs: 300, retryMaxMs: 1500 } });
    expect(emu.requestLog.filter((l) => l.status !== 200).length).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
    expect(snapshots(fx.db)).toHaveLength(280);
  });

  test('an invalid token stops only the accounts that use it, without sending its other batches', async () => {
    const good = addMany('facebook', 20);
    for (let i = 0; i < 300; i++) fx.addAccount('facebook', `40000000000${String(i).padStart(4, '0')}`, { tokenEnv: 'PAVLODAR_FB_TOKEN' });
    fx.addAccount('telegram', '@other_bot_channel', { tokenEnv: 'OTHER_BOT_TOKEN', title: 'x' });
    addMany('telegram', 3);
    emu.invalidateToken('EAA-expired-pavlodar');
    emu.invalidateToken('222:expired-bot');
    const r = await run({ settings: { ...FAST, concurrency: 2 } }, { PAVLODAR_FB_TOKEN: 'EAA-expired-pavlodar', OTHER_BOT_TOKEN: '222:expired-bot' });
    expect(r.accountsOk).toBe(23);
    expect(r.accountsFailed).toBe(301);
    expect(new Set(r.failures.map((f) => f.kind))).toEqual(new Set(['invalid_token']));
    expect(r.failures[0].message).toMatch(/Error validating access token|Unauthorized/);
    expect(snapshots(fx.db)).toHaveLength(23);
    for (const id of good) expect(snapshots(fx.db).some((s) => s.account_id === idOf(id))).toBe(true);
    // 300 pages need 6 batches with the bad token: only those already in flight (concurrency 2) are sent.
    expect(r.perPlatform.facebook!.requests).toBeLessThanOrEqual(1 + 2);
  });

  test('a missing per-account token variable fails that account only, naming the variable', async () => {
    fx.addAccount('facebook', '500000000000001', { tokenEnv: 'NOT_SET_TOKEN' });
    addMany('facebook', 2);
    const r = await run();
    expect(r.accountsOk).toBe(2);
    expect(r.failures).toEqual([expect.objectContaining({ kind: 'invalid_token', message: expect.stringContaining('NOT_SET_TOKEN') })]);
  });

  test('high usage in X-App-Usage spaces Graph requests out', async () => {
    addMany('facebook', 200);
    emu.setUsage(90);
    const t0 = Date.now();
    await run({ settings: { ...FAST, batchSize: 25, usageMaxSpacingMs: 100 } });
    const times = emu.requestLog.filter((l) => l.api === 'graph').map((l) => l.at);
    expect(times).toHaveLength(8);
    // The first 4 go out at once (usage unknown yet); from then on, at 90 %, each request starts
    // 80 ms after the previous one instead of 4 at a time.
    for (let i = 5; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(60);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 70);
  });

  test('Graph code 4 at 100 % usage pauses, then the run completes', async () => {
    addMany('facebook', 10);
    emu.setFault({ kind: 'rate_limit', api: 'graph', times: 2 });
    const r = await run();
    expect(r.accountsOk).toBe(10);
  });
});

describe('platform specifics', () => {
  test('Telegram falls back to getChatMembersCount when the server lacks getChatMemberCount', async () => {
    const old = await startEmulator({ seed: 'collect-test', disabledMethods: ['getChatMemberCount'] });
    try {
      const tg = addMany('telegram', 3);
      const r = await runCollect({ db: fx.db, config: configFor(old.url), onSnapshotsChanged: updateRollups, settings: FAST });
      expect(r.accountsOk).toBe(3);
      expect(old.counters.byMethod.getchatmemberscount).toBe(3);
      expect(snapshots(fx.db).map((s) => s.audience)).toEqual(tg.map((id) => old.audience(id)));
    } finally {
      await old.close();
    }
  });

  test('an Instagram account given by its Page is resolved once and the IG id kept', async () => {
    const acc = fx.addAccount('instagram', 'page:600000000000001', { pageId: '600000000000001' });
    const noIg = fx.addAccount('instagram', 'page:600000000000002', { pageId: '600000000000002' });
    const local = await startEmulator({ seed: 'collect-test', pagesWithoutInstagram: ['600000000000002'] });
    try {
      const r = await runCollect({ db: fx.db, config: configFor(local.url), onSnapshotsChanged: updateRollups, settings: FAST });
      const igId = igIdForPage('600000000000001', 'collect-test');
      expect((fx.db.prepare('SELECT resolved_id FROM accounts WHERE id = ?').get(acc) as { resolved_id: string }).resolved_id).toBe(igId);
      expect(snapshots(fx.db)).toEqual([expect.objectContaining({ account_id: acc, audience: local.audience(igId) })]);
      expect(r.failures).toEqual([expect.objectContaining({ accountId: noIg, kind: 'not_found', message: expect.stringMatching(/no Instagram professional account/) })]);
      const again = await runCollect({ db: fx.db, config: configFor(local.url), onSnapshotsChanged: updateRollups, settings: FAST, platform: 'instagram', account: 'page:600000000000001' });
      expect(again.perPlatform.instagram!.requests).toBe(1); // no second lookup through the Page
    } finally {
      await local.close();
    }
  });

  test('--backfill reads page_follows history as backfill snapshots and never overwrites an api reading', async () => {
    const [page] = addMany('facebook', 1);
    addMany('facebook', 59, 1);
    await run();
    const id = idOf(page);
    const apiRow = snapshots(fx.db).find((s) => s.account_id === id)!;
    fx.db.prepare('INSERT INTO snapshots (account_id, day, audience, source, collected_at) VALUES (?, ?, ?, 2, 0)').run(id, today() - 10, 7);
    // Insights batches are large (50 × 90 days): a generous timeout keeps the request count exact.
    const r = await run({ backfillDays: 200, settings: { ...FAST, timeoutMs: 10_000 } });
    expect(r.backfill).toMatchObject({ accounts: 60, failed: 0 });
    // 60 Page tokens in 1 batch (two multi-id entries), then 60 pages × 3 windows of ≤ 90 days = 180 insights reads in 4 batches.
    expect(r.backfill!.requests).toBe(5);
    const rows = snapshots(fx.db).filter((s) => s.account_id === id);
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(rows.find((s) => s.day === today())).toMatchObject({ source: 0, audience: apiRow.audience });
    expect(rows.find((s) => s.day === today() - 10)).toMatchObject({ source: 2, audience: 7 });
    const hist = rows.filter((s) => s.source === 1);
    expect(hist.length).toBeGreaterThanOrEqual(198);
    expect(Math.min(...hist.map((s) => s.day))).toBeLessThanOrEqual(today() - 199);
    // The day before today is the page_follows total that ended it.
    const y = hist.find((s) => s.day === today() - 2)!;
    expect(y.audience).toBeGreaterThan(0);
    const again = await run({ backfillDays: 200 });
    expect(again.backfill!.snapshotsWritten).toBe(0); // idempotent
    await expect(run({ backfillDays: 731 })).rejects.toThrow(/1 to 730/);
  });
});

describe('never overlapping itself', () => {
  test('a second run while one is in progress is refused', async () => {
    addMany('telegram', 20);
    const first = run({ settings: { ...FAST, telegramRatePerSecond: 50 } });
    await new Promise((r) => setTimeout(r, 50));
    await expect(run()).rejects.toBeInstanceOf(CollectBusyError);
    await first;
    await expect(run()).resolves.toMatchObject({ status: 'finished' });
  });

  test('a run left "running" by a dead process is marked interrupted, and its lock taken over', async () => {
    addMany('facebook', 2);
    fx.db.prepare("INSERT INTO collection_runs (started_at, status) VALUES (?, 'running')").run(Date.now() - 60_000);
    fx.db.prepare("INSERT INTO job_locks VALUES ('collect', 'dead-owner', 999999, ?, ?, ?)").run(require('node:os').hostname(), Date.now(), Date.now());
    const r = await run();
    expect(r.status).toBe('finished');
    expect(fx.db.prepare('SELECT status FROM collection_runs ORDER BY id').all()).toEqual([{ status: 'interrupted' }, { status: 'finished' }]);
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM job_locks').get()).toEqual({ n: 0 });
  });

  test('the afterCollect hook gets the result; its failure does not fail the run', async () => {
    addMany('facebook', 3);
    const seen: number[] = [];
    const r = await run({
      afterCollect: (res) => {
        seen.push(res.changedFrom.size);
        throw new Error('rollup exploded');
      },
    });
    expect(seen).toEqual([3]);
    expect(r.status).toBe('finished');
  });
});
