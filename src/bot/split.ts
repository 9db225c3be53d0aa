// Telegram HTML helpers: escaping user text, and splitting a long message into posts under the
// 4,096-character limit on line boundaries (so no tag or entity is ever cut in two).

/** Telegram's limit on a message's text. */
export const TELEGRAM_MAX_LENGTH = 4096;

/** Escapes text for Telegram's HTML parse mode: only `<`, `>` and `&` need it (and `"` inside attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Strips tags and unescapes entities: what a reader of the message sees. Used by tests and the CLI. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/**
 * Cuts a single over-long line into pieces of at most `limit` characters, never inside an `&…;` entity
 * or a `<…>` tag. The lines this project renders keep their tags balanced per line, so a cut can only
 * happen in plain text; a piece may then lose formatting, never validity.
 */
function cutLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    let cut = limit;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp >= 0 && rest.indexOf(';', amp) >= cut) cut = amp;
    const lt = rest.lastIndexOf('<', cut - 1);
    if (lt >= 0 && rest.indexOf('>', lt) >= cut) cut = lt;
    const space = rest.lastIndexOf(' ', cut);
    if (space > limit / 2) cut = space + 1;
    if (cut <= 0) cut = limit; // pathological: a single tag longer than the limit
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  if (rest.length) pieces.push(rest);
  return pieces;
}

/**
 * Splits a message into posts of at most `limit` characters, breaking only between lines; a blank line
 * (a section break) is preferred as the place to break when the post is at least half full.
 * Lines longer than the limit on their own are cut (see cutLine).
 */
export function splitMessage(text: string, limit = TELEGRAM_MAX_LENGTH): string[] {
  const lines = text.split('\n').flatMap((l) => (l.length > limit ? cutLine(l, limit) : [l]));
  const posts: string[] = [];
  let current: string[] = [];
  let length = -1; // length of current.join('\n')
  const flush = (upTo = current.length) => {
    const post = current.slice(0, upTo).join('\n').trim();
    if (post) posts.push(post);
    current = current.slice(upTo);
    length = current.length ? current.join('\n').length : -1;
  };
  for (const line of lines) {
    if (length + 1 + line.length > limit) {
      // Prefer to end the post at the last section break, if that keeps it at least half full.
      const lastBlank = current.lastIndexOf('');
      const head = lastBlank > 0 ? current.slice(0, lastBlank).join('\n').length : 0;
      flush(head >= limit / 2 ? lastBlank + 1 : current.length);
      if (length + 1 + line.length > limit) flush();
    }
    current.push(line);
    length += 1 + line.length;
  }
  flush();
  return posts;
}
