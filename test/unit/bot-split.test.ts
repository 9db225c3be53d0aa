import { escapeHtml, htmlToText, splitMessage, TELEGRAM_MAX_LENGTH } from '../../src/bot/split';

describe('escapeHtml', () => {
  test.each([
    ['Союз <Учителей> & Ко', 'Союз &lt;Учителей&gt; &amp; Ко'],
    ['a&amp;b', 'a&amp;amp;b'],
    ['"quoted"', '&quot;quoted&quot;'],
    ['plain', 'plain'],
  ])('escapes %s for Telegram HTML', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
    expect(htmlToText(escapeHtml(input))).toBe(input);
  });
});

describe('splitMessage', () => {
  const line = (i: number) => `<b>${i}.</b> Организация номер ${i}: +1 204 (+2,6 %)`;

  test('a short message stays one post', () => {
    expect(splitMessage('a\nb\n\nc')).toEqual(['a\nb\n\nc']);
  });

  test('a long message is cut on line boundaries into posts under 4,096 characters, losing no line', () => {
    const lines = Array.from({ length: 400 }, (_, i) => line(i));
    const posts = splitMessage(lines.join('\n'));
    expect(posts.length).toBeGreaterThan(1);
    for (const p of posts) expect(p.length).toBeLessThanOrEqual(TELEGRAM_MAX_LENGTH);
    expect(posts.join('\n').split('\n')).toEqual(lines);
  });

  test('a post ends at a section break (blank line) when that keeps it at least half full', () => {
    const section = (n: number, k: number) => Array.from({ length: k }, (_, i) => `section ${n} line ${i} ${'x'.repeat(40)}`);
    const text = [...section(1, 60), '', ...section(2, 60)].join('\n');
    const posts = splitMessage(text, 4096);
    expect(posts).toHaveLength(2);
    expect(posts[0].split('\n')).toEqual(section(1, 60));
    expect(posts[1].split('\n')).toEqual(section(2, 60));
  });

  test('a single over-long line is cut between words, never inside an entity', () => {
    const long = Array.from({ length: 1200 }, (_, i) => (i % 7 === 0 ? '&amp;' : 'слово')).join(' ');
    const posts = splitMessage(long, 1000);
    for (const p of posts) {
      expect(p.length).toBeLessThanOrEqual(1000);
      expect(p).not.toMatch(/&[a-z]*$/);
      expect(p).not.toMatch(/^[a-z]*;/);
    }
    expect(posts.join(' ').replace(/\s+/g, ' ')).toBe(long);
  });

  test('an empty message gives no posts', () => {
    expect(splitMessage('\n\n')).toEqual([]);
  });
});
