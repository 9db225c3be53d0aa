// `rubrics:` and `standards:` in the YAML config: defaults when absent, and bad entries named by line and field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { DEFAULT_RUBRICS } from '../../src/domain/default-rubrics';

function configFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rubrics-')), 'audience-growth.yaml');
  fs.writeFileSync(file, text);
  return file;
}

test('without rubrics: the shipped defaults; without standards: none', () => {
  const c = loadConfig({ file: configFile('language: ru\n'), env: {} });
  expect(c.rubrics.map((r) => r.slug)).toEqual(DEFAULT_RUBRICS.map((r) => r.slug));
  expect(c.standards).toEqual([]);
});

test('configured rubrics replace the defaults; standards default to the social group', () => {
  const c = loadConfig({
    env: {},
    file: configFile(`rubrics:
  - slug: safety
    name: { ru: "Охрана труда", kk: "Еңбекті қорғау", en: "Labour safety" }
    keywords: ["охрана труда", "еңбекті қорғау"]
    hashtags: ["#охранатруда"]
standards:
  - { level: primary, posts_per_week: 2, decision: "Постановление № 19" }
  - { level: region, platform: telegram, rubric_share: { safety: 20 }, active_share: 80 }
`),
  });
  expect(c.rubrics).toEqual([{ slug: 'safety', name: { ru: 'Охрана труда', kk: 'Еңбекті қорғау', en: 'Labour safety' }, keywords: ['охрана труда', 'еңбекті қорғау'], hashtags: ['#охранатруда'] }]);
  expect(c.standards).toEqual([
    { level: 'primary', platform: 'social', posts_per_week: 2, decision: 'Постановление № 19' },
    { level: 'region', platform: 'telegram', rubric_share: { safety: 20 }, active_share: 80 },
  ]);
});

test.each([
  ['rubrics:\n  - { slug: x, name: { ru: X } }\n', /audience-growth.yaml:2: rubrics\[0\]\.keywords: give at least one keyword or hashtag/],
  ['rubrics:\n  - { slug: x, name: { ru: X }, hashtags: ["#два слова"] }\n', /rubrics\[0\]\.hashtags\[0\]: must be # and letters/],
  ['rubrics:\n  - { slug: x, name: { ru: X }, keywords: [a] }\n  - { slug: x, name: { ru: Y }, keywords: [b] }\n', /:3: rubrics\[1\]\.slug: x is given twice/],
  ['standards:\n  - { level: region, rubric_share: { nosuch: 10 } }\n', /:2: standards\[0\]\.rubric_share\.nosuch: no rubric nosuch; rubrics are social-partnership/],
  ['standards:\n  - { level: region, active_share: 120 }\n', /standards\[0\]\.active_share: must be a percentage 0-100/],
  ['standards:\n  - { level: region }\n', /standards\[0\]\.posts_per_week: give at least one of posts_per_week, active_share, rubric_share/],
  ['standards:\n  - { level: school, posts_per_week: 1 }\n', /standards\[0\]\.level: must be one of council, region, branch, primary/],
  ['standards:\n  - { level: region, platform: newspaper, posts_per_week: 1 }\n', /standards\[0\]\.platform: must be one of facebook, instagram, telegram, social/],
  ['standards:\n  - { level: region, posts_per_week: 1 }\n  - { level: region, posts_per_week: 2 }\n', /standards\[1\]\.level: a standard for region on social is given twice/],
])('a bad entry is named: %s', (text, message) => {
  expect(() => loadConfig({ file: configFile(text), env: {} })).toThrow(message);
});
