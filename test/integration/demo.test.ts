// `npx audience-growth demo` as a newcomer runs it: in a fresh directory, it prints a URL and a login;
// the pages show two years of growing numbers, the bot's weekly summary is in the emulator's message log,
// and Ctrl+C stops everything with exit code 0. It never touches the real database.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openDatabase } from '../../db';
import { ROOT, runCli, tempDir } from '../helpers/cli';

const BIN = path.join(ROOT, 'bin/audience-growth.js');

interface Printed {
  url: string;
  login: string;
  password: string;
  messages: string;
}

function startDemo(cwd: string): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; ready: Promise<Printed>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'demo', '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_PATH: path.join(cwd, 'real.db') },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Printed>((resolve, reject) => {
    const check = () => {
      const url = /Web pages:\s+(http:\/\/\S+)/.exec(out)?.[1];
      const cred = /Log in:\s+(\S+) \/ (\S+)/.exec(out);
      const messages = /Bot posts:\s+(http:\/\/\S+)/.exec(out)?.[1];
      if (url && cred && messages && out.includes('Press Ctrl+C')) resolve({ url, login: cred[1], password: cred[2], messages });
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`demo exited with ${code} before it was ready:\n${out}\n${err}`)));
  });
  return { child, out: () => out, err: () => err, ready, exited };
}

/** The cookies a response sets, as `name=value` pairs. */
function setCookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]);
}

test('the demo starts in a fresh directory, shows growing numbers after logging in with the printed login, posts the weekly summary, and stops on SIGINT', async () => {
  const cwd = tempDir('ag-demo-');
  const started = Date.now();
  const demo = startDemo(cwd);
  try {
    const printed = await demo.ready;
    expect(Date.now() - started).toBeLessThan(60_000);
    const base = printed.url.replace('localhost', '127.0.0.1').replace(/\/$/, '');

    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // Pages need a login: sign in with the printed credentials (the login form and its CSRF cookie).
    const anonymous = await fetch(`${base}/`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    const loginPage = await fetch(`${base}/login`, { redirect: 'manual' });
    expect(loginPage.status).toBe(200);
    const loginHtml = await loginPage.text();
    const csrf = /name="_csrf"\s+value="([^"]+)"/.exec(loginHtml)?.[1] ?? /value="([^"]+)"\s+name="_csrf"/.exec(loginHtml)?.[1];
    expect(csrf).toBeDefined();
    const signIn = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: setCookies(loginPage).join('; ') },
      body: new URLSearchParams({ login: printed.login, password: printed.password, next: '/', _csrf: csrf! }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = setCookies(signIn).join('; ');
    expect(cookie).not.toBe('');

    const overview = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
    expect(overview.status).toBe(200);
    const html = await overview.text();
    const chart = JSON.parse(/<script type="application\/json" id="audience-chart-data">([\s\S]*?)<\/script>/.exec(html)![1]) as {
      series: { key: string; data: { x: string; y: number | null }[] }[];
    };
    const social = chart.series.find((s) => s.key === 'social')!.data.filter((p) => p.y !== null) as { x: string; y: number }[];
    expect(social.length).toBeGreaterThan(300); // a year of daily points, at least
    expect(social[social.length - 1].y).toBeGreaterThan(social[0].y);

    const targets = await (await fetch(`${base}/targets`, { headers: { cookie } })).text();
    expect(targets).toContain('№ 19 п. 2 от 12.10.2022');

    // Two years of posts of every channel, in Russian and Kazakh, on the publications and best posts pages.
    const demoDb = openDatabase(path.join(cwd, 'data/demo.db'));
    try {
      const spans = demoDb.prepare('SELECT a.platform, count(*) AS n, max(p.day) - min(p.day) AS days FROM posts p JOIN accounts a ON a.id = p.account_id GROUP BY a.platform').all() as { platform: string; n: number; days: number }[];
      expect(spans.map((r) => r.platform).sort()).toEqual(['facebook', 'instagram', 'telegram']);
      for (const r of spans) expect(r.days).toBeGreaterThanOrEqual(700);
      expect(demoDb.prepare("SELECT count(*) FROM posts WHERE text LIKE '%кәсіподақ%'").pluck().get()).toBeGreaterThan(100);
      const channel = demoDb.prepare("SELECT id FROM accounts WHERE platform = 'telegram' ORDER BY id LIMIT 1").pluck().get() as number;
      const channelPage = await (await fetch(`${base}/org/kz/channel/${channel}`, { headers: { cookie } })).text();
      expect(channelPage).toMatch(/профсоюз|кәсіподақ/i);
    } finally {
      demoDb.close();
    }
    expect((await fetch(`${base}/org/kz/publications`, { headers: { cookie } })).status).toBe(200);
    const best = await (await fetch(`${base}/best`, { headers: { cookie } })).text();
    expect(best).toMatch(/профсоюз|кәсіподақ/i);

    const messages = (await (await fetch(printed.messages)).json()) as { chatId: string; text: string }[];
    expect(messages.some((m) => m.chatId === '@union_news' && m.text.includes('Итоги недели'))).toBe(true);

    // Its own database in the working directory; the real one (DATABASE_PATH) is never created.
    expect(fs.existsSync(path.join(cwd, 'data/demo.db'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'real.db'))).toBe(false);

    const t = Date.now();
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(demo.out()).toContain('Demo stopped.');
    expect(demo.err()).not.toMatch(/ERROR|Unhandled|EADDRINUSE/);
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
});

test('the demo refuses the real database and any file that is not a demo database', () => {
  const cwd = tempDir('ag-demo-');
  const real = path.join(cwd, 'real.db');
  const same = runCli(['demo', '--port', '0', '--db', real], { CWD: cwd, DATABASE_PATH: real });
  expect(same.code).toBe(2);
  expect(same.stderr).toMatch(/--db: is the same file as DATABASE_PATH/);
  expect(fs.existsSync(real)).toBe(false);

  const other = path.join(cwd, 'other.db');
  openDatabase(other).close();
  const notDemo = runCli(['demo', '--port', '0', '--db', other], { CWD: cwd, DATABASE_PATH: real });
  expect(notDemo.code).toBe(2);
  expect(notDemo.stderr).toMatch(/is not a demo database/);
  expect(fs.statSync(other).size).toBeGreaterThan(0);
});

test('a second demo on a port in use stops before touching the first one\'s database', async () => {
  const cwd = tempDir('ag-demo-');
  const file = path.join(cwd, 'data/demo.db');
  fs.mkdirSync(path.dirname(file));
  const running = openDatabase(file);
  running.pragma('application_id = 0x41474445'); // what the demo marks its database with
  running.exec("INSERT INTO organisations (slug, level, name_ru, created_at, updated_at) VALUES ('still-here', 'council', 'x', 0, 0)");
  running.close();
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, r));
  try {
    const port = (busy.address() as net.AddressInfo).port;
    const second = runCli(['demo', '--port', String(port)], { CWD: cwd });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`--port: port ${port} is in use`));
    const db = openDatabase(file);
    expect(db.prepare("SELECT slug FROM organisations").pluck().all()).toEqual(['still-here']);
    db.close();
  } finally {
    busy.close();
  }
});
