// A branch with 1,400 organisations below it (issue 17): its page shows the children table a page at a time
// (100 rows), with a pager like the rankings' and a link to the whole sortable ranking; a page past the last
// is a 400 naming the parameter.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Db } from '../../db';
import { loadConfig } from '../../src/config';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { withSession } from '../helpers/web-auth';
import { buildWideBranch, WIDE_SLUG } from '../../bench/wide-branch';

const NOW = new Date('2026-11-23T03:00:00Z');
let dir: string;
let db: Db;
let app: ReturnType<typeof withSession>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-wide-'));
  const file = path.join(dir, 'w.db');
  db = buildWideBranch(file, { children: 1400, days: 20, today: '2026-11-23' });
  app = withSession(createApp({ ...createServices(db, loadConfig({ env: { DATABASE_PATH: file, PORT: '0' } })), now: () => NOW }), db);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const childRows = (html: string) => {
  const table = html.slice(html.indexOf('id="children-table"'), html.indexOf('</table>', html.indexOf('id="children-table"')));
  return [...table.matchAll(/<tr data-href="\/org\/([a-z0-9-]+)">/g)].map((m) => m[1]);
};

test('the first page lists 100 of the 1,400 children with a pager; the last page the final 100', async () => {
  let res = await request(app).get(`/org/${WIDE_SLUG}?lang=ru`);
  expect(res.status).toBe(200);
  let rows = childRows(res.text);
  expect(rows).toHaveLength(100);
  expect(rows[0]).toBe('school-1');
  expect(res.text).toContain('id="children-pager"');
  expect(res.text).toMatch(/Страница 1 из 14/);
  expect(res.text).toContain(`href="/org/${WIDE_SLUG}?lang=ru&amp;children_page=2#children-table"`);
  expect(res.text).toContain(`href="/rankings?parent=${WIDE_SLUG}&amp;platform=social"`);

  res = await request(app).get(`/org/${WIDE_SLUG}?lang=kk&children_page=14`);
  expect(res.status).toBe(200);
  rows = childRows(res.text);
  expect(rows).toHaveLength(100);
  expect(rows[0]).toBe('school-1301');
  expect(rows[99]).toBe('school-1400');
  // figures are there for the rows shown
  expect(res.text).toMatch(/data-href="\/org\/school-1400">[\s\S]*?<td class="num" data-value="\d+">/);
});

test('a page past the last, or not a page number, is a 400 naming children_page', async () => {
  let res = await request(app).get(`/org/${WIDE_SLUG}?children_page=15&lang=en`);
  expect(res.status).toBe(400);
  expect(res.text).toContain('children_page');
  res = await request(app).get(`/org/${WIDE_SLUG}?children_page=x&lang=en`);
  expect(res.status).toBe(400);
});

test('a parent with few children has no pager', async () => {
  const res = await request(app).get('/org/kz?lang=ru');
  expect(childRows(res.text)).toEqual([WIDE_SLUG]);
  expect(res.text).not.toContain('id="children-pager"');
});
