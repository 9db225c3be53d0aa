// The machine formats are a contract (DESIGN §9): `export <kind> --format csv|json` from the CLI and the JSON
// API keep their bytes whatever the pages' downloads do. Each answer is compared byte for byte with the output
// recorded before the page downloads learned the page's language (test/fixtures/machine-exports/). Record
// anew (UPDATE_MACHINE_EXPORTS=1) only when the contract itself changes, and say so in the commit.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { withSession } from '../helpers/web-auth';
import { runCli } from '../helpers/cli';

const GOLDEN = path.join(__dirname, '..', 'fixtures', 'machine-exports');
const UPDATE = process.env.UPDATE_MACHINE_EXPORTS === '1';

let f: WebFixture;
let app: ReturnType<typeof withSession>;

beforeAll(() => {
  f = buildWebFixture();
  app = withSession(createApp({ ...createServices(f.db, f.config), now: f.now }), f.db);
});
afterAll(() => f.close());

function expectSameBytes(name: string, bytes: Buffer): void {
  const file = path.join(GOLDEN, name);
  if (UPDATE) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, bytes);
  }
  const golden = fs.readFileSync(file);
  // (equal buffers; on a difference show the first differing line rather than two long buffers)
  if (!golden.equals(bytes)) {
    const a = golden.toString('utf8').split('\n');
    const b = bytes.toString('utf8').split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    expect({ file: name, line: i + 1, got: b[i] }).toEqual({ file: name, line: i + 1, got: a[i] });
  }
  expect(bytes.length).toBe(golden.length);
}

const CLI_EXPORTS: [string, string[]][] = [
  ['cli-growth.csv', ['export', 'growth', '--org', 'pavlodar', '--from', '2026-01-01', '--to', TODAY, '--format', 'csv']],
  ['cli-targets.json', ['export', 'targets', '--date', TODAY, '--format', 'json']],
];

describe('the CLI export is byte for byte what it was', () => {
  test.each(CLI_EXPORTS)('%s', (name, args) => {
    const r = runCli(args, { DATABASE_PATH: f.file, TZ: 'UTC' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectSameBytes(name, Buffer.from(r.stdout, 'utf8'));
  });
});

const API: [string, string][] = [
  ['api-growth.json', `/api/v1/growth?org=kz&platform=social&from=2026-01-01&to=${TODAY}`],
  ['api-targets.json', `/api/v1/targets?date=${TODAY}`],
  ['api-rankings.json', `/api/v1/rankings?level=region&platform=social&from=2026-10-01&to=2026-10-31`],
];

describe('the JSON API is byte for byte what it was, in any page language', () => {
  test.each(API)('%s', async (name, url) => {
    const res = await request(app).get(url).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expectSameBytes(name, res.body as Buffer);
    const kk = await request(app).get(url).set('Cookie', 'lang=kk').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect((kk.body as Buffer).equals(res.body as Buffer)).toBe(true);
  });
});
