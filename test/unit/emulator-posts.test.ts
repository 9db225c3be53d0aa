// The emulator's publications endpoints answer what the readers expect of the real APIs: its preview pages parse
// with the preview parser (albums once, service messages skipped, ?before= paging to the first post), and its
// Graph listings page and normalise like the real ones.
import { newPostsState, listPosts, previewPage, type PostsApiDeps } from '../../collectors/emulator/posts-api';
import { postsModel, formatPreviewCount, POSTS_DAY0 } from '../../collectors/emulator/posts-model';
import { parsePreviewPage } from '../../collectors/posts/telegram-preview';
import { parsePostsPage, relativeFromNext } from '../../collectors/posts/graph-posts';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const deps: PostsApiDeps = {
  model: postsModel('t', () => NOW),
  audience: () => 5000,
  now: () => NOW,
  isPageToken: (token, page) => token === `page-${page}`,
  isPrivateChannel: (name) => name.startsWith('private'),
  chatId: (name) => -1_000_000_000_000 - (name.length * 7919),
};

describe('emulator publications', () => {
  it('serves preview pages the parser reads, paging back with ?before= to the first post', () => {
    const state = newPostsState();
    const seen = new Map<number, number>();
    let before: number | undefined;
    let pages = 0;
    let services = 0;
    for (;;) {
      const q = new URLSearchParams(before ? { before: String(before) } : {});
      const a = previewPage(deps, state, 'union_test', q, 'https://t.me');
      expect(a.status).toBe(200);
      const page = parsePreviewPage(a.raw!, 'union_test');
      services += (a.raw!.match(/service_message/g) ?? []).length;
      pages++;
      for (const p of page.posts) {
        expect(seen.has(p.messageId)).toBe(false);
        seen.set(p.messageId, p.publishedAt);
      }
      if (page.before === null) break;
      before = page.before;
      if (pages > 400) throw new Error('paging does not end');
    }
    expect(pages).toBeGreaterThan(20);
    expect(services).toBeGreaterThan(0); // "Channel created" at least, never parsed as a post
    expect(seen.has(1)).toBe(false);
    // every visible model post exactly once, albums under their first id
    const model: number[] = [];
    for (let day = POSTS_DAY0; day <= Math.floor(NOW / 86_400_000); day++) {
      for (const p of deps.model.postsOfDay('telegram', 'union_test', day)) if (p.publishedAt <= NOW && !(p.deletedAt !== null && p.deletedAt <= NOW)) model.push(p.messageId);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(model.sort((a, b) => a - b));
  });

  it('answers 302 to t.me/<name> for a private channel', () => {
    const a = previewPage(deps, newPostsState(), 'private_chan', new URLSearchParams(), 'https://t.me');
    expect(a.status).toBe(302);
    expect(a.headers?.location).toBe('https://t.me/private_chan');
  });

  it('serves published_posts to Page tokens only, with paging, omitted zero shares and insights', () => {
    const state = newPostsState();
    const q = new URLSearchParams({
      fields: 'id,created_time,message,permalink_url,status_type,attachments{media_type,type},shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),insights.metric(post_media_view)',
      limit: '100',
      since: String(Math.floor((NOW - 400 * 86_400_000) / 1000)),
    });
    expect(listPosts(deps, state, 'facebook', '111', q, 'system-token', 'http://e', '/v25.0').status).toBe(400);
    let a = listPosts(deps, state, 'facebook', '111', q, 'page-111', 'http://e', '/v25.0');
    let total = 0;
    let pages = 0;
    for (;;) {
      expect(a.status).toBe(200);
      const page = parsePostsPage('facebook', a.body as Record<string, unknown>, true);
      total += page.posts.length;
      pages++;
      for (const p of page.posts) {
        expect(p.postId.startsWith('111_')).toBe(true);
        expect(p.views).not.toBeNull();
      }
      if (!page.next) break;
      const rel = new URL(relativeFromNext(page.next), 'http://e/');
      a = listPosts(deps, state, 'facebook', '111', rel.searchParams, 'page-111', 'http://e', '/v25.0');
    }
    expect(pages).toBeGreaterThan(1);
    expect(total).toBeGreaterThan(200);
    const bad = new URLSearchParams({ fields: 'id,insights.metric(post_impressions)' });
    expect((listPosts(deps, state, 'facebook', '111', bad, 'page-111', 'http://e', '/v25.0').body as { error: { code: number } }).error.code).toBe(100);
    expect(listPosts(deps, state, 'facebook', '111', new URLSearchParams({ limit: '101' }), 'page-111', 'http://e', '/v25.0').status).toBe(400);
  });

  it('rounds preview counts like Telegram', () => {
    expect(formatPreviewCount(957)).toBe('957');
    expect(formatPreviewCount(4853)).toBe('4.85K');
    expect(formatPreviewCount(12345)).toBe('12.3K');
    expect(formatPreviewCount(436612)).toBe('436K');
    expect(formatPreviewCount(3_100_000)).toBe('3.1M');
  });
});
