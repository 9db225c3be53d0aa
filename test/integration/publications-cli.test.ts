// `export publications`, `export rubrics`, standards from `import`, and `compute --rubrics` through the real CLI
// on a real SQLite file: the rows a user gets, worked out by hand from the posts and readings written here.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../db';
import { savePosts, recordPostsRead, type PostInput } from '../../src/posts/store';
import { runCli, tempDir } from '../helpers/cli';
import { currentStandards } from '../../src/publications/standards-store';

const TZ = 'Asia/Almaty';
const TREE = `
organisations:
  - slug: kz
    level: council
    name: { ru: "Совет" }
    accounts:
      - { platform: telegram, id: "@kz_channel" }
    children:
      - slug: north
        level: region
        name: { ru: "Север" }
        accounts:
          - { platform: facebook, id: "100000000000011" }
        children:
          - slug: north-school
            level: primary
            name: { ru: "Школа 1" }
            accounts:
              - { platform: telegram, id: "@school_one" }
      - slug: south
        level: region
        name: { ru: "Юг" }
        accounts:
          - { platform: telegram, id: "@south_chan" }
standards:
  - { level: primary, posts_per_week: 2, decision: "Постановление № 19 п. 2 от 12.10.2022" }
  - { level: region, rubric_share: { legal-protection: 20 } }
`;

const READINGS = `org,platform,account,date,audience
kz,telegram,@kz_channel,2026-02-01,1000
north,facebook,100000000000011,2026-02-01,200
north-school,telegram,@school_one,2026-02-01,0
south,telegram,@south_chan,2026-02-01,500
`;

const at = (date: string) => Date.parse(`${date}T07:00:00Z`); // noon in Almaty
const post = (id: string, date: string, text: string, reactions: number | null, views: number | null = null): PostInput => ({
  postId: id,
  publishedAt: at(date),
  kind: 'text',
  text,
  reactions,
  comments: 1,
  shares: null,
  views,
});

describe('information work through the CLI', () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => {
    const r = runCli(args, env);
    if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const json = (...args: string[]) => JSON.parse(cli(...args, '--format', 'json'));

  beforeAll(() => {
    dir = tempDir();
    env = { DATABASE_PATH: path.join(dir, 'ag.db'), LOG_LEVEL: 'error' };
    fs.writeFileSync(path.join(dir, 'tree.yaml'), TREE);
    fs.writeFileSync(path.join(dir, 'readings.csv'), READINGS);
    expect(cli('import', path.join(dir, 'tree.yaml'))).toMatch(/standards: 2 new, 0 revised, 0 unchanged/);
    cli('import-audience', path.join(dir, 'readings.csv'));
    const db = openDatabase(env.DATABASE_PATH);
    const id = (pid: string) => db.prepare('SELECT id FROM accounts WHERE platform_id = ?').pluck().get(pid) as number;
    savePosts(db, TZ, [
      {
        accountId: id('@kz_channel'),
        source: 'preview',
        readAt: at('2026-03-01'),
        posts: [post('1', '2026-02-02', 'Правовая защита педагогов', 19, 300), post('2', '2026-02-10', 'Праздник', 9, null), post('3', '2026-02-27', 'Удалённый', 99)],
      },
      { accountId: id('100000000000011'), source: 'api', readAt: at('2026-03-01'), posts: [post('10', '2026-02-03', 'Охрана труда в школах', 3, 50)] },
      { accountId: id('@school_one'), source: 'preview', readAt: at('2026-03-01'), posts: [post('20', '2026-02-05', 'Жас мұғалімдер', 4, 10)] },
    ]);
    db.prepare("UPDATE posts SET deleted_at = 1 WHERE post_id = '3'").run();
    // posts read on 2026-02-28 for every account but the south channel (never read: unknown, not silent)
    for (const pid of ['@kz_channel', '100000000000011', '@school_one']) recordPostsRead(db, TZ, id(pid), at('2026-02-28'));
    db.close();
  });

  test('export publications: one row per org of the subtree, worked out by hand', () => {
    const rows = json('export', 'publications', '--from', '2026-02-01', '--to', '2026-02-28');
    expect(rows).toEqual([
      // kz: posts 1, 2 (3 deleted) + 10 + 20 = 4; interactions 20 + 10 + 4 + 5 = 39; ER over posts with audience > 0
      // (1, 2: 1 000; 10: 200; 20 has audience 0): 34 / 2 200; VR over those with views: (300 + 50) / 1 200
      // accounts tracked on 02-28: all 4; silent (no post in 15..28, read on 28): school (posted 02-05), north (02-03) → 2;
      // kz posted 02-10 → silent too (14 days before 02-28 is 02-14) → 3; south never read → unknown
      { org: 'kz', platform: 'social', from: '2026-02-01', to: '2026-02-28', posts: 4, posts_per_week: 1, accounts: 4, silent_accounts: 3, interactions: 39, engagement_rate: (100 * 34) / 2200, view_rate: (100 * 350) / 1200 },
      { org: 'north', platform: 'social', from: '2026-02-01', to: '2026-02-28', posts: 2, posts_per_week: 0.5, accounts: 2, silent_accounts: 2, interactions: 9, engagement_rate: 2, view_rate: 25 },
      { org: 'north-school', platform: 'social', from: '2026-02-01', to: '2026-02-28', posts: 1, posts_per_week: 0.25, accounts: 1, silent_accounts: 1, interactions: 5, engagement_rate: null, view_rate: null },
      // south: its channel's posts were never read: unknown (null), not 0 posts
      { org: 'south', platform: 'social', from: '2026-02-01', to: '2026-02-28', posts: null, posts_per_week: null, accounts: 1, silent_accounts: 0, interactions: null, engagement_rate: null, view_rate: null },
    ]);
    expect(json('export', 'publications', '--org', 'north', '--platform', 'telegram', '--from', '2026-02-01', '--to', '2026-02-07').map((r: { org: string; posts: number }) => [r.org, r.posts])).toEqual([
      ['north', 1],
      ['north-school', 1],
    ]);
  });

  test('export rubrics: one row per org and rubric with its share', () => {
    const rows = json('export', 'rubrics', '--org', 'kz', '--from', '2026-02-01', '--to', '2026-02-28') as { org: string; rubric: string; posts: number; rubric_posts: number; share_percent: number | null }[];
    const pick = (org: string, rubric: string) => rows.find((r) => r.org === org && r.rubric === rubric);
    expect(pick('kz', 'legal-protection')).toEqual({ org: 'kz', platform: 'social', from: '2026-02-01', to: '2026-02-28', rubric: 'legal-protection', posts: 4, rubric_posts: 1, share_percent: 25 });
    expect(pick('kz', 'labour-safety')).toMatchObject({ rubric_posts: 1, share_percent: 25 });
    expect(pick('kz', 'youth')).toMatchObject({ rubric_posts: 1, share_percent: 25 });
    expect(pick('north-school', 'youth')).toMatchObject({ posts: 1, rubric_posts: 1, share_percent: 100 });
    expect(pick('south', 'youth')).toMatchObject({ posts: null, rubric_posts: null, share_percent: null });
    expect(rows).toHaveLength(4 * 8);
    expect(cli('export', 'rubrics', '--from', '2026-02-01', '--to', '2026-02-28').split('\n')[0]).toBe('org,platform,from,to,rubric,posts,rubric_posts,share_percent');
  });

  test('compute --rubrics re-classifies with the configured rubrics and reports the rate', () => {
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(config, 'rubrics:\n  - { slug: holidays, name: { ru: "Праздники" }, keywords: ["праздник"] }\n');
    const out = runCli(['compute', '--rubrics'], { ...env, AUDIENCE_GROWTH_CONFIG: config });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/rubrics: 5 posts re-classified \(1 with a rubric\) in [\d.]+ s, \d+ posts\/s/);
    const rows = JSON.parse(runCli(['export', 'rubrics', '--org', 'kz', '--from', '2026-02-01', '--to', '2026-02-28', '--format', 'json'], { ...env, AUDIENCE_GROWTH_CONFIG: config }).stdout);
    expect(rows.filter((r: { org: string }) => r.org === 'kz')).toEqual([{ org: 'kz', platform: 'social', from: '2026-02-01', to: '2026-02-28', rubric: 'holidays', posts: 4, rubric_posts: 1, share_percent: 25 }]);
  });

  test('bad options exit 2, name the option and change nothing', () => {
    for (const [args, message] of [
      [['export', 'publications', '--platform', 'newspaper'], /platform: must be one of facebook, instagram, telegram, social/],
      [['export', 'rubrics', '--org', 'nosuch'], /org: no organisation has the slug "nosuch"/],
      [['export', 'publications', '--from', '2026-02-30'], /from: must be a real date/],
      [['export', 'publications', '--from', '2026-03-01', '--to', '2026-02-01'], /from 2026-03-01 is after to 2026-02-01/],
    ] as const) {
      const r = runCli([...args], env);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
  });

  test('standards came in from the import as versions with their decision', () => {
    const db = openDatabase(env.DATABASE_PATH);
    expect(currentStandards(db).map((s) => [s.level, s.platform, s.posts_per_week, s.rubric_share, s.decision, s.set_by])).toEqual([
      ['region', 'social', null, { 'legal-protection': 20 }, null, 'import'],
      ['primary', 'social', 2, null, 'Постановление № 19 п. 2 от 12.10.2022', 'import'],
    ]);
    db.close();
    expect(cli('import', path.join(dir, 'tree.yaml'))).toMatch(/standards: 0 new, 0 revised, 2 unchanged/);
  });
});
