// Changing information work through the pages, over HTTP with a real SQLite file and signed-in sessions: an
// admin adds a standard version on the admin targets page (refused values named in the page's language,
// nothing changed; an editor may not) and the Publications page's compliance view judges by it; an editor sets
// a post's rubric on the channel page, which survives re-classification and is audit-logged, while a viewer
// sees no form and is refused; the Excel downloads of the Publications, best posts and channel pages carry
// number and date cells.
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../web/app';
import { createServices } from '../../src/services';
import { classifyPosts } from '../../src/publications/classify';
import { currentStandards } from '../../src/publications/standards-store';
import { buildWebFixture, TODAY, type WebFixture } from '../helpers/web-fixture';
import { addFixturePosts } from '../helpers/posts-fixture';
import { dbState, ensureUser, signIn, type Session } from '../helpers/web-auth';

let f: WebFixture;
let app: Express;
let admin: Session;
let editor: Session;
let viewer: Session;

beforeAll(async () => {
  f = buildWebFixture();
  addFixturePosts(f.db, f.config.timezone, TODAY, { silentSlug: 'akmola' });
  app = createApp({ ...createServices(f.db, f.config), now: f.now, cache: false });
  ensureUser(f.db, 'admin', 'admin');
  ensureUser(f.db, 'pavlodar-editor', 'editor', 'pavlodar');
  ensureUser(f.db, 'press', 'viewer');
  admin = await signIn(app, f.db, 'admin');
  editor = await signIn(app, f.db, 'pavlodar-editor');
  viewer = await signIn(app, f.db, 'press');
});
afterAll(() => f.close());

const post = (who: Session, path: string, body: Record<string, string | string[]>) => request(app).post(path).set('Cookie', who.cookie).type('form').send({ _csrf: who.csrf, ...body });
const get = (who: Session, path: string) => request(app).get(path).set('Cookie', who.cookie);
const lastAudit = () => f.db.prepare('SELECT actor, action, subject, before, after FROM audit_log ORDER BY id DESC LIMIT 1').get() as Record<string, string>;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\u00a0|\u202f/g, ' ').replace(/\s+/g, ' ');
const xlsx = async (who: Session, url: string) => {
  const res = await get(who, url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect([url, res.status]).toEqual([url, 200]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as never);
  const ws = wb.worksheets[0];
  const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
  return { ws, header, cell: (row: number, name: string) => ws.getRow(row).getCell(header.indexOf(name) + 1) };
};

describe('standards on the admin targets page', () => {
  const form = { level: 'region', platform: 'social', measure: 'posts_per_week', threshold: '4,5', valid_from: '2026-01-01', decision: 'Постановление Президиума № 7 от 15.01.2026' };

  test('an admin adds a version; the compliance view of the Publications page judges the regions by it', async () => {
    let res = await post(admin, '/admin/standards', form);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/targets?done=standard_set#standards');
    expect(currentStandards(f.db).map((s) => [s.level, s.platform, s.posts_per_week, s.valid_from, s.decision, s.version])).toEqual([['region', 'social', 4.5, '2026-01-01', form.decision, 1]]);
    expect(lastAudit()).toMatchObject({ actor: 'admin', action: 'standard.set', subject: 'standard:region/social' });
    // a rubric share for two rubrics is a second version that keeps the posts a week
    res = await post(admin, '/admin/standards', { ...form, measure: 'rubric_share', threshold: '15', rubrics: ['legal-protection', 'social-partnership'], decision: '№ 8' });
    expect(res.status).toBe(303);
    const [s] = currentStandards(f.db);
    expect([s.version, s.posts_per_week, s.rubric_share]).toEqual([2, 4.5, { 'legal-protection': 15, 'social-partnership': 15 }]);
    const page = await get(admin, '/admin/targets?lang=ru');
    expect(page.text).toContain('data-standard="region/social" data-version="2"');
    expect(page.text).toContain('data-standard="region/social" data-version="1"');

    const pub = await get(viewer, '/org/kz/publications?lang=ru&period=quarter');
    expect(pub.status).toBe(200);
    const level = /<div class="compliance-level" data-level="region">[\s\S]*?<\/div>\s*<\/div>|<div class="compliance-level" data-level="region">[\s\S]*?(?=<\/section>)/.exec(pub.text)![0];
    const m = /data-met="(\d+)" data-not-met="(\d+)"/.exec(level)!;
    const regions = f.db.prepare("SELECT count(*) FROM organisations WHERE level = 'region'").pluck().get() as number;
    expect(Number(m[1]) + Number(m[2])).toBeGreaterThan(0);
    expect(Number(m[1]) + Number(m[2])).toBeLessThanOrEqual(regions);
    expect(text(level)).toContain('Публикаций в неделю ≥ 4,5');
    // those not meeting it are listed with by how much they fall short
    for (const short of level.matchAll(/data-short="([-\d.e]+)"/g)) expect(Number(short[1])).toBeGreaterThan(0);
    if (Number(m[2]) > 0) expect(level).toContain('data-measure=');
  });

  test('a refused value is named in the page language and changes nothing; an editor may not set standards', async () => {
    const before = dbState(f.db);
    let res = await post(admin, '/admin/standards?lang=kk', { ...form, measure: 'active_share', threshold: '120' });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('Шек : 0-ден 100-ге дейінгі пайыз болуы керек');
    res = await post(admin, '/admin/standards?lang=ru', { ...form, measure: 'rubric_share', threshold: '10' });
    expect(res.status).toBe(400);
    expect(text(res.text)).toMatch(/Рубрика \(рубрики\) : обязательно/i);
    res = await post(admin, '/admin/standards?lang=ru', { ...form, rubrics: 'nosuch', measure: 'rubric_share' });
    expect(res.status).toBe(400);
    res = await post(admin, '/admin/standards?lang=ru', { ...form, valid_from: '2026-02-30' });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('Действует с');
    res = await post(editor, '/admin/standards', form);
    expect(res.status).toBe(403);
    expect(dbState(f.db)).toBe(before);
    // the editor sees the standards but no form
    const page = await get(editor, '/admin/targets?lang=ru');
    expect(page.text).toContain('id="admin-standards-table"');
    expect(page.text).not.toContain('id="standard-form"');
  });
});

describe("an editor's rubric decision on the channel page", () => {
  const channel = () =>
    f.db
      .prepare("SELECT a.id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'telegram'")
      .get() as { id: number; slug: string };
  const newestPost = (accountId: number) => f.db.prepare('SELECT id FROM posts WHERE account_id = ? AND deleted_at IS NULL ORDER BY day DESC, published_at DESC LIMIT 1').pluck().get(accountId) as number;
  const rubricsOf = (postId: number) => f.db.prepare('SELECT rubric, origin FROM post_rubrics WHERE post_id = ? ORDER BY rubric').raw().all(postId);

  test('add and remove, kept over re-classification, audit-logged; shown on the page', async () => {
    const { id, slug } = channel();
    const postId = newestPost(id);
    const url = `/org/${slug}/channel/${id}/posts/${postId}/rubrics`;
    let res = await post(editor, url, { rubric: 'youth', action: 'add' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/org/${slug}/channel/${id}?done=rubric#post-${postId}`);
    expect(lastAudit()).toMatchObject({ actor: 'pavlodar-editor', action: 'post.rubric.add', after: expect.stringContaining('youth') });
    const matched = (rubricsOf(postId) as [string, number][]).filter(([, o]) => o === 0).map(([r]) => r);
    const removed = matched[0] ?? 'events';
    res = await post(editor, url, { rubric: removed, action: 'remove' });
    expect(res.status).toBe(303);
    expect(lastAudit()).toMatchObject({ action: 'post.rubric.remove' });
    // the whole classification again (as `compute --rubrics`): the decisions stay
    classifyPosts(f.db, f.config.rubrics, { full: true });
    const rows = rubricsOf(postId) as [string, number][];
    expect(rows).toContainEqual(['youth', 1]);
    expect(rows).toContainEqual([removed, 2]);
    const page = await get(editor, `/org/${slug}/channel/${id}?lang=ru&done=rubric`);
    const row = new RegExp(`<tr id="post-${postId}"[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(row).toContain('data-rubric="youth"');
    expect(row).toContain(`data-removed="${removed}"`);
    expect(row).toContain('class="rubric-edit');
    expect(page.text).toContain('Рубрики публикации сохранены.');
  });

  test('a viewer sees no form and is refused; an editor of another region too; bad fields are a 400', async () => {
    const { id, slug } = channel();
    const postId = newestPost(id);
    const url = `/org/${slug}/channel/${id}/posts/${postId}/rubrics`;
    const page = await get(viewer, `/org/${slug}/channel/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('class="rubric-edit');
    ensureUser(f.db, 'abai-editor', 'editor', 'abai');
    const other = await signIn(app, f.db, 'abai-editor');
    const before = dbState(f.db);
    expect((await post(viewer, url, { rubric: 'youth', action: 'remove' })).status).toBe(403);
    expect((await post(other, url, { rubric: 'youth', action: 'remove' })).status).toBe(403);
    expect((await post(editor, url, { rubric: 'nosuch', action: 'add' })).status).toBe(400);
    expect((await post(editor, url, { rubric: 'youth', action: 'delete' })).status).toBe(400);
    expect((await post(editor, `/org/${slug}/channel/${id}/posts/999999/rubrics`, { rubric: 'youth', action: 'add' })).status).toBe(404);
    expect(dbState(f.db)).toBe(before);
  });
});

describe('Excel downloads of the information-work pages', () => {
  test('publications children, best posts and a channel’s posts: number, percent and date cells', async () => {
    const pub = await xlsx(viewer, '/org/kz/publications.xlsx?lang=ru&period=quarter');
    expect(pub.header.slice(0, 2)).toEqual(['Организация', 'Код организации']);
    expect(pub.ws.rowCount - 1).toBe(f.db.prepare("SELECT count(*) FROM organisations WHERE parent_id = (SELECT id FROM organisations WHERE slug = 'kz')").pluck().get());
    const ppw = pub.cell(2, 'Публикаций в неделю');
    expect(typeof ppw.value).toBe('number');
    expect(ppw.numFmt).toBe('#,##0.0');
    expect(pub.cell(2, 'Период с').value).toBeInstanceOf(Date);
    expect(pub.cell(2, 'Период с').numFmt).toBe('dd.mm.yyyy');

    const best = await xlsx(viewer, '/best.xlsx?lang=en&period=quarter');
    expect(best.ws.rowCount).toBeGreaterThan(5);
    const er = best.cell(2, 'Engagement rate, %');
    expect(typeof er.value).toBe('number');
    expect(er.numFmt).toBe('0.0%');
    expect(er.value as number).toBeGreaterThanOrEqual(best.cell(3, 'Engagement rate, %').value as number);
    expect(best.cell(2, 'Post date').value).toBeInstanceOf(Date);
    expect(typeof best.cell(2, 'Reactions').value).toBe('number');
    // every post names its channel (an untitled one by its id), so a reader can find it
    for (let r = 2; r <= best.ws.rowCount; r++) expect(best.cell(r, 'Channel').value).toEqual(expect.any(String));

    const { id, slug } = f.db.prepare("SELECT a.id, o.slug FROM accounts a JOIN organisations o ON o.id = a.org_id WHERE o.slug = 'pavlodar' AND a.platform = 'telegram'").get() as { id: number; slug: string };
    const posts = await xlsx(viewer, `/org/${slug}/channel/${id}/posts.xlsx?lang=kk`);
    expect(posts.ws.rowCount - 1).toBe(f.db.prepare('SELECT count(*) FROM posts WHERE account_id = ? AND deleted_at IS NULL').pluck().get(id));
    const date = posts.cell(2, 'Жарияланған күні').value as Date;
    expect(date.toISOString().slice(0, 10)).toBe(f.db.prepare("SELECT date(max(day) * 86400, 'unixepoch') FROM posts WHERE account_id = ? AND deleted_at IS NULL").pluck().get(id));
    expect(typeof posts.cell(2, 'Қаралымдар').value).toBe('number');
  });
});
