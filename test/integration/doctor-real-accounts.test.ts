// `doctor` against the emulator as strict as Meta (issue 12): a good setup, a token without pages_show_list,
// a Page the token does not cover, a missing appsecret_proof, an Instagram Login token 5 days from expiry —
// each diagnosed with its fix, and no token or secret printed.
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../collectors/emulator';
import { fixture, spawnCli, type AsyncCliResult, type Fixture } from '../helpers/collect';

const FB = 'EAAdoctorRealAccounts0123456789';
const SECRET = 'doctor-app-secret-abcdef0123';
const IG = 'IGAAdoctorInstagramLoginToken42';
const PAGES = ['300000000000001', '300000000000002'];
const DAY = 86_400_000;

let fx: Fixture;
const started: Emulator[] = [];
async function emulator(opts: EmulatorOptions): Promise<Emulator> {
  const e = await startEmulator({ seed: 'doctor-real', pageTasks: { [FB]: PAGES }, ...opts });
  started.push(e);
  return e;
}
afterAll(async () => {
  for (const e of started) await e.close();
});
beforeEach(() => {
  fx = fixture();
  PAGES.forEach((p) => fx.addAccount('facebook', p));
  fs.writeFileSync(path.join(fx.dir, 'none.yaml'), 'timezone: Asia/Almaty\n');
});
afterEach(() => {
  try {
    fx.db.close();
  } catch {
    /* closed by the test */
  }
});

function doctor(emu: Emulator, env: Record<string, string> = {}): Promise<AsyncCliResult> {
  fx.db.close();
  return spawnCli(['doctor'], {
    DATABASE_PATH: fx.dbPath,
    AUDIENCE_GROWTH_CONFIG: path.join(fx.dir, 'none.yaml'),
    FACEBOOK_GRAPH_URL: emu.url,
    INSTAGRAM_GRAPH_URL: emu.instagramUrl,
    TELEGRAM_API_ROOT: emu.url,
    FACEBOOK_ACCESS_TOKEN: FB,
    ...env,
  }).done.then((r) => {
    for (const secret of [FB, SECRET, IG]) expect(r.stdout + r.stderr).not.toContain(secret);
    return r;
  });
}

test('a good setup with an app secret: Page tokens, Insights and every Page covered, all ✓', async () => {
  const emu = await emulator({ appSecret: SECRET, coveredPages: PAGES });
  const r = await doctor(emu, { FACEBOOK_APP_SECRET: SECRET });
  expect(r.stdout).toMatch(/^✓ FACEBOOK_ACCESS_TOKEN: the token covers all 2 configured Pages$/m);
  expect(r.stdout).toMatch(/^✓ FACEBOOK_ACCESS_TOKEN: Page Insights of Page 300000000000001 read through its Page token$/m);
  expect(r.stdout).toMatch(/^✓ facebook: 2 of 2 Pages readable$/m);
  expect(r.stdout).not.toMatch(/^✗/m);
  expect(r.code).toBe(0);
});

test('a token without pages_show_list is named with the permissions to give it', async () => {
  const emu = await emulator({ scopes: ['pages_read_engagement', 'read_insights', 'instagram_basic'] });
  const r = await doctor(emu);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ FACEBOOK_ACCESS_TOKEN: system-user token without pages_show_list$/m);
  expect(r.stdout).toMatch(/^ {4}Collect needs pages_show_list, pages_read_engagement, read_insights\. Create a new system-user token/m);
});

test('a configured Page the token does not cover, and one without a task: each with the Business settings fix', async () => {
  const emu = await emulator({ pageTasks: { [FB]: [PAGES[1]] }, coveredPages: [PAGES[1]] });
  const r = await doctor(emu);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ FACEBOOK_ACCESS_TOKEN: the token does not cover 1 configured Page \(300000000000001\)$/m);
  expect(r.stdout).toMatch(/^ {4}In Business settings → Users → System users → Assign assets, give the system user these Pages/m);
  expect(r.stdout).toMatch(/^✗ FACEBOOK_ACCESS_TOKEN: no Page access token for Page 300000000000001, so Page Insights \(the history backfill\) cannot be read$/m);
  expect(r.stdout).toMatch(/^ {4}Fix: .*give the system user the Page with the task ANALYZE/m);
});

test('an app that requires appsecret_proof without FACEBOOK_APP_SECRET: the fix names the variable, not the URL', async () => {
  const emu = await emulator({ appSecret: SECRET });
  const r = await doctor(emu);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ Graph API http:\/\/127\.0\.0\.1:\d+\/ with FACEBOOK_ACCESS_TOKEN: \/me failed$/m);
  expect(r.stdout).toMatch(/API calls from the server require an appsecret_proof argument\. Fix: .*set FACEBOOK_APP_SECRET/);
  expect(r.stdout).not.toMatch(/Check FACEBOOK_GRAPH_URL/);
});

test('an Instagram Login token 5 days from expiry is a ✗ with the fix; one with 40 days left is ✓', async () => {
  const emu = await emulator({});
  const soon = path.join(fx.dir, 'soon.token');
  fs.writeFileSync(soon, JSON.stringify({ access_token: IG, expires_at: new Date(Date.now() + 5 * DAY + 3_600_000).toISOString() }), { mode: 0o600 });
  const later = path.join(fx.dir, 'later.token');
  fs.writeFileSync(later, JSON.stringify({ access_token: `${IG}later`, expires_at: new Date(Date.now() + 40 * DAY).toISOString() }), { mode: 0o600 });
  emu.addInstagramToken(IG, '17841400000000801', Date.now() + 5 * DAY + 3_600_000);
  emu.addInstagramToken(`${IG}later`, '17841400000000802', Date.now() + 40 * DAY);
  for (const [id, file] of [['17841400000000801', soon], ['17841400000000802', later]]) {
    const acc = fx.addAccount('instagram', id);
    fx.db.prepare("UPDATE accounts SET api = 'instagram_login', token_file = ? WHERE id = ?").run(file, acc);
  }
  const r = await doctor(emu);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^✗ Instagram 17841400000000801 \(Instagram Login, token from file .*soon\.token\): the Instagram Login token expires in 5 days \(\d{4}-\d\d-\d\d\)$/m);
  expect(r.stdout).toMatch(/^ {4}Fix: the service refreshes .*soon\.token by itself/m);
  expect(r.stdout).toMatch(/^✓ Instagram 17841400000000802 \(Instagram Login, token from file .*later\.token\): expires \d{4}-\d\d-\d\d \(in 39 days; refreshed by collect 30 days before\)$/m);
  expect(r.stdout).toMatch(/^✓ instagram: 2 of 2 Instagram accounts readable$/m);
});
