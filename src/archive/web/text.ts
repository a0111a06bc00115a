import { escapeHtml, Html } from './html.js';

// http(s) URLs only: any other scheme (javascript:, data:) stays plain text.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f\u007f-\u009f]+/gi;
const TRAILING = /[.,;:!?'"]+$/;

function trimUrl(url: string): string {
  let out = url.replace(TRAILING, '');
  // A URL in parentheses: drop the closing one unless the URL opened one itself.
  while (out.endsWith(')') && count(out, '(') < count(out, ')')) {
    out = out.slice(0, -1).replace(TRAILING, '');
  }
  return out;
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n += 1;
  return n;
}

/**
 * A message's text as HTML: escaped, with http(s) URLs made into links that open without
 * sending a referrer or giving the target page a handle on this one.
 *
 * @example
 * linkify('see https://x.org/a.') // 'see <a href="https://x.org/a" …>https://x.org/a</a>.'
 */
export function linkify(text: string): Html {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    if (url.length <= 'https://'.length) continue;
    out += escapeHtml(text.slice(last, m.index));
    const href = escapeHtml(url);
    out += `<a href="${href}" rel="nofollow noopener noreferrer ugc">${href}</a>`;
    last = m.index + url.length;
  }
  return new Html(out + escapeHtml(text.slice(last)));
}

/**
 * Text as HTML with every case-insensitive occurrence of `q` in `<mark>`.
 *
 * @example
 * highlight('Deploy done', 'deploy') // '<mark>Deploy</mark> done'
 */
export function highlight(text: string, q: string): Html {
  if (q.length === 0) return new Html(escapeHtml(text));
  const re = new RegExp(q.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), 'gi');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return new Html(out + escapeHtml(text.slice(last)));
}

/** How many name colours the stylesheet defines (`.c0` … `.c11`). */
export const NAME_COLOURS = 12;

/**
 * The colour class of a name: FNV-1a of its UTF-8 bytes, so a name has the same colour on
 * every page, in every room and across restarts.
 */
export function nameColour(name: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `c${h % NAME_COLOURS}`;
}
