// bench:soak — the server under real operation for BENCH_SOAK_SECONDS (default 600): pages and API at
// BENCH_SOAK_CONNECTIONS (default 50) connections — 10 of them on the page of a branch with 1,400 children —
// while collects (against the in-process emulator), import-audience runs and admin form writes go on. Prints
// requests, errors (goal 0), p50/p99 (all, and the branch page while a collect runs), RSS at start, after warm-up, every 30 s and at the end
// (goal: flat after warm-up) and rows lost (goal 0: every import's readings, every admin write, every collect's
// readings found at the end). The load generator (autocannon) runs in the same process as the server: on a
// small machine its figures are upper bounds. Not part of CI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { startEmulator } from '../collectors/emulator';
import { addUser, createApiToken } from '../src/auth';
import { loadConfig } from '../src/config';
import { addDays, localDate, toEpochDay } from '../src/domain/dates';
import { importAudience } from '../src/import';
import { runCollect } from '../src/jobs/collect';
import { setLogLevel } from '../src/log';
import { createServices, updateRollups } from '../src/services';
import { createApp, createWebServer } from '../web/app';
import { buildWideBranch, WIDE_SLUG } from './wide-branch';

setLogLevel('error');
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const CONNECTIONS = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 50);
const CHILDREN = Number(process.env.BENCH_SOAK_CHILDREN ?? 1400);
const BRANCH_CONNECTIONS = Math.min(10, Math.max(1, Math.floor(CONNECTIONS / 5)));

const percentile = (values: number[], p: number): number => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const mb = (bytes: number) => Math.round(bytes / 1048576);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-soak-'));
  const file = path.join(dir, 'soak.db');
  const emu = await startEmulator({ seed: 'soak', latencyMs: 20 });
  const env = { DATABASE_PATH: file, PORT: '0', TELEGRAM_API_ROOT: emu.url, TELEGRAM_PREVIEW_ROOT: emu.url, TELEGRAM_BOT_TOKEN: '1:soak' };
  const config = loadConfig({ env, file: path.join(__dirname, '..', 'test/helpers/empty-config.yaml') });
  const today = localDate(config.timezone, new Date());
  const db = buildWideBranch(file, { children: CHILDREN, days: 30, today: addDays(today, -1) });
  addUser(db, { login: 'soak-admin', password: 'soak admin password', role: 'admin', actor: 'bench' });
  const apiToken = createApiToken(db, { role: 'viewer', name: 'soak', actor: 'bench' });

  const app = createApp({ ...createServices(db, config) });
  const server = createWebServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Signed in as a browser is: the login form's CSRF cookie and field, then the session cookie and its token.
  const loginPage = await fetch(`${base}/login`);
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1];
  const csrfCookie = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const signed = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: 'soak-admin', password: 'soak admin password', _csrf: loginCsrf }).toString(),
  });
  const cookie = signed.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('ag_session='))!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/admin/orgs/school-1`, { headers: { cookie } })).text())![1];

  const rssStart = process.memoryUsage().rss;
  // RSS every 30 s: flat after warm-up is the goal, which two figures alone cannot show
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(process.memoryUsage().rss), 30_000);
  const deadline = Date.now() + SECONDS * 1000;
  let collecting = false;
  const expected = { imports: new Map<string, number>(), members: new Map<string, number>(), collects: 0, collectFailures: 0, adminErrors: 0, importErrors: 0 };

  // Collects, one after another, as the scheduler and the admin "collect now" would run them.
  const collects = (async () => {
    while (Date.now() < deadline) {
      collecting = true;
      try {
        const r = await runCollect({ db, config, onSnapshotsChanged: updateRollups, trigger: 'manual', posts: false, settings: { concurrency: 4, telegramRatePerSecond: 200 } });
        expected.collects++;
        expected.collectFailures += r.accountsFailed;
      } catch (err) {
        expected.collectFailures++;
        console.error(`collect failed: ${(err as Error).message}`);
      } finally {
        collecting = false;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();

  // import-audience of 50 channels' readings on a day further back each time, every 3 seconds.
  const imports = (async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const date = addDays(today, -40 - i);
      const lines = ['org,platform,account,date,audience'];
      for (let c = 1; c <= 50; c++) {
        const audience = 5000 + i * 10 + c;
        lines.push(`school-${c},telegram,@school_${c},${date},${audience}`);
        expected.imports.set(`@school_${c}|${date}`, audience);
      }
      const csv = path.join(dir, `import-${i}.csv`);
      fs.writeFileSync(csv, lines.join('\n') + '\n');
      try {
        importAudience(db, csv, { config, onSnapshotsChanged: updateRollups });
      } catch (err) {
        expected.importErrors++;
        console.error(`import failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  })();

  // Admin form writes: a child's membership figure, twice a second.
  const admin = (async () => {
    for (let i = 0; Date.now() < deadline; i++) {
      const slug = `school-${1 + (i % CHILDREN)}`;
      const members = 100 + i;
      const res = await fetch(`${base}/admin/orgs/${slug}/members`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ members: String(members), _csrf: csrf }).toString(),
      });
      await res.arrayBuffer();
      if (res.status === 303) expected.members.set(slug, members);
      else {
        expected.adminErrors++;
        console.error(`admin write ${slug}: HTTP ${res.status}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();

  const all: number[] = [];
  const branchDuringCollect: number[] = [];
  const load = (connections: number, paths: string[]) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const requests = paths.map((p) => ({
        method: 'GET' as const,
        path: p,
        headers: p.startsWith('/api/') ? { authorization: `Bearer ${apiToken}`, accept: 'application/json' } : { cookie, accept: 'text/html' },
      }));
      const instance = autocannon({ url: base, connections, duration: SECONDS, requests }, (err, res) => (err ? reject(err) : resolve(res)));
      instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
        all.push(ms);
        if (paths.length === 1 && collecting) branchDuringCollect.push(ms);
      });
    });
  const pages = ['/', `/org/${WIDE_SLUG}?children_page=7`, '/rankings', `/rankings?parent=${WIDE_SLUG}`, '/targets', '/health', '/org/school-5', '/api/v1/orgs', `/api/v1/growth?org=${WIDE_SLUG}`, '/api/v1/rankings?level=primary'];
  const [mixed, branch] = await Promise.all([load(CONNECTIONS - BRANCH_CONNECTIONS, pages), load(BRANCH_CONNECTIONS, [`/org/${WIDE_SLUG}`])]);
  await Promise.all([collects, imports, admin]);
  const rssEnd = process.memoryUsage().rss;
  clearInterval(sampler);
  // after warm-up: the sample at a fifth of the run
  const rssWarm = rssSamples[Math.floor(rssSamples.length / 5)] ?? rssStart;

  // Rows lost: every reading an import reported written, every membership the admin form accepted, and a
  // reading of every channel on the collect's day.
  const snap = db.prepare('SELECT s.audience FROM snapshots s JOIN accounts a ON a.id = s.account_id WHERE a.platform_id = ? AND s.day = ?').pluck();
  let lost = 0;
  for (const [key, audience] of expected.imports) {
    const [account, date] = key.split('|');
    if (snap.get(account, toEpochDay(date)) !== audience) lost++;
  }
  const members = db.prepare('SELECT members FROM organisations WHERE slug = ?').pluck();
  for (const [slug, n] of expected.members) if (members.get(slug) !== n) lost++;
  const collectedToday = db.prepare('SELECT COUNT(*) FROM snapshots WHERE day = ?').pluck().get(toEpochDay(today)) as number;
  if (expected.collects > 0) lost += Math.max(0, CHILDREN - collectedToday);

  const requests = mixed.requests.total + branch.requests.total;
  const errors = mixed.errors + mixed.non2xx + branch.errors + branch.non2xx;
  console.log(`soak: ${SECONDS} s, ${CONNECTIONS} connections (${BRANCH_CONNECTIONS} on /org/${WIDE_SLUG}, ${CHILDREN} children), ${os.cpus().length} CPUs; load generator in the server's process`);
  console.log(`requests ${requests} (${Math.round(requests / SECONDS)}/s), errors ${errors} (timeouts ${mixed.timeouts + branch.timeouts}), p50 ${percentile(all, 50)} ms, p99 ${percentile(all, 99)} ms`);
  console.log(`branch page while a collect runs: ${branchDuringCollect.length} requests, p50 ${percentile(branchDuringCollect, 50)} ms, p99 ${percentile(branchDuringCollect, 99)} ms`);
  console.log(`collects ${expected.collects} (failed accounts or runs ${expected.collectFailures}), imports ${expected.imports.size / 50} (failed ${expected.importErrors}), admin writes ${expected.members.size} distinct (failed ${expected.adminErrors})`);
  console.log(`RSS start ${mb(rssStart)} MB, after warm-up (a fifth of the run) ${mb(rssWarm)} MB, end ${mb(rssEnd)} MB; rows lost ${lost}`);
  console.log(`RSS every 30 s (MB): ${rssSamples.map(mb).join(' ')}`);
  console.log(
    JSON.stringify({
      seconds: SECONDS,
      connections: CONNECTIONS,
      requests,
      errors,
      p50_ms: percentile(all, 50),
      p99_ms: percentile(all, 99),
      branch_during_collect_p99_ms: percentile(branchDuringCollect, 99),
      collects: expected.collects,
      imports: expected.imports.size / 50,
      admin_writes: expected.members.size,
      failures: expected.collectFailures + expected.importErrors + expected.adminErrors,
      rss_start_mb: mb(rssStart),
      rss_after_warmup_mb: mb(rssWarm),
      rss_samples_mb: rssSamples.map(mb),
      rss_end_mb: mb(rssEnd),
      rows_lost: lost,
    }),
  );
  server.close();
  db.close();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (errors > 0 || lost > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
