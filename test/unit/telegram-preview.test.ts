// The t.me/s/ preview parser on pages with the real markup (publications-apis §3.2).
import fs from 'node:fs';
import path from 'node:path';
import { parseCount, parsePreviewPage, previewName } from '../../collectors/posts/telegram-preview';
import { MalformedResponseError } from '../../collectors/http';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/telegram-preview', name), 'utf8');

describe('Telegram preview parser', () => {
  const page = parsePreviewPage(fixture('page.html'), 'brieflyru');

  it('skips service messages and reads an album once, under its first id', () => {
    expect(page.posts.map((p) => [p.postId, p.kind])).toEqual([
      ['47107', 'text'],
      ['47109', 'album'],
      ['47112', 'video'],
    ]);
    expect(page.smallestId).toBe(47100);
    expect(page.before).toBe(47100);
    expect(page.empty).toBe(false);
  });

  it('reads text with line breaks and entities, dates, links, edits and forwards', () => {
    const [first, album, video] = page.posts;
    expect(first.text).toBe('Headline\nBody & more');
    expect(first.publishedAt).toBe(Date.parse('2026-09-27T07:24:01Z'));
    expect(first.url).toBe('https://t.me/brieflyru/47107');
    expect(first.edited).toBe(true);
    expect(first.forwarded).toBe(false);
    expect(album.text).toBe('Album caption');
    // the reply quote's text is not the post's
    expect(video.text).toBe('Видео с семинара — «Правовая защита»');
    expect(video.forwarded).toBe(true);
    expect(video.edited).toBe(false);
  });

  it('keeps rounded views as approximate and counts reactions without paid ones', () => {
    const [first, album, video] = page.posts;
    expect([first.views, first.viewsApproximate, first.viewsRaw]).toEqual([4850, true, '4.85K']);
    expect([album.views, album.viewsApproximate]).toEqual([12300, true]);
    expect([video.views, video.viewsApproximate]).toEqual([957, false]);
    expect(first.reactions).toBe(34 + 1500);
    expect(album.reactions).toBe(0); // no reactions block: zero, not unknown
    expect(first.shares).toBeNull(); // forwards are not shown by the preview
    expect(first.comments).toBeNull();
  });

  it('reads "No posts found" as an empty page with no older cursor', () => {
    const empty = parsePreviewPage(fixture('empty.html'), 'brieflyru');
    expect(empty).toEqual({ posts: [], smallestId: null, before: null, empty: true });
  });

  it('refuses a page that is not a channel preview', () => {
    expect(() => parsePreviewPage('<html><body><div class="tgme_page">Join</div></body></html>', 'x')).toThrow(MalformedResponseError);
  });

  it('parses counts as shown', () => {
    expect(parseCount('957')).toEqual({ value: 957, approximate: false });
    expect(parseCount('1.2K')).toEqual({ value: 1200, approximate: true });
    expect(parseCount('436.6K')).toEqual({ value: 436600, approximate: true });
    expect(parseCount('3.1M')).toEqual({ value: 3100000, approximate: true });
    expect(parseCount('views')).toBeUndefined();
  });

  it('names the preview of a username, none for a numeric id', () => {
    expect(previewName('@union_kz')).toBe('union_kz');
    expect(previewName('-1001234567890')).toBeNull();
  });
});
