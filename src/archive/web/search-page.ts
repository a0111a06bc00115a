import { type SearchHit, searchArchive } from '../search.js';
import { type ArchiveTree, isDay } from '../tree.js';
import { type Html, html } from './html.js';
import { pageEnd, pageStart } from './layout.js';
import { anchor, renderLine } from './line.js';
import type { Links } from './links.js';

/** A search as the URL asks for it (`/search?q=&room=&since=&until=`). */
export interface SearchParams {
  q: string;
  room: string;
  since: string;
  until: string;
}

/** The most hits one page shows. */
export const SEARCH_LIMIT = 100;
// Longer queries are cut: nobody types more, and the scan pattern stays small.
const MAX_QUERY = 200;

/** Reads the search parameters from a URL's query, dropping malformed dates. */
export function searchParams(query: URLSearchParams): SearchParams {
  const day = (v: string | null): string => (v && isDay(v) ? v : '');
  return {
    q: (query.get('q') ?? '').trim().slice(0, MAX_QUERY),
    room: (query.get('room') ?? '').slice(0, MAX_QUERY),
    since: day(query.get('since')),
    until: day(query.get('until')),
  };
}

function searchForm(tree: ArchiveTree, links: Links, p: SearchParams): Html {
  const rooms = new Map<string, string>();
  for (const server of tree.servers())
    for (const room of server.rooms) rooms.set(room.segment, room.name);
  const options = [...rooms]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(
      ([segment, name]) =>
        html`<option value="${segment}"${p.room === segment ? ' selected' : ''}>#${name}</option>`,
    );
  return html`<form class="search" id="search" action="${links.search?.() ?? ''}" method="get" role="search">
<input type="search" name="q" value="${p.q}" placeholder="words to find" aria-label="Search for" autofocus>
<label>room <select name="room"><option value="">all rooms</option>${options}</select></label>
<label>from <input type="date" name="since" value="${p.since}"></label>
<label>to <input type="date" name="until" value="${p.until}"></label>
<button type="submit">Search</button>
</form>
`;
}

function hitBlock(links: Links, hit: SearchHit, q: string): Html {
  const day = links.day(hit.server, hit.room, hit.day);
  const line = (record: SearchHit['record'], query?: string): Html =>
    renderLine(record, { href: `${day}#${anchor(record)}`, query });
  return html`<article class="hit">
<h3><a href="${day}#${anchor(hit.record)}"><span class="hash">#</span>${hit.roomName} · ${hit.day}</a></h3>
<div class="log">${hit.before.map((r) => line(r))}${line(hit.record, q)}${hit.after.map((r) => line(r))}</div>
</article>
`;
}

/** The results part of a search page, streamed hit by hit; the summary comes last. */
export async function* searchResults(
  tree: ArchiveTree,
  links: Links,
  p: SearchParams,
  signal?: AbortSignal,
): AsyncGenerator<Html> {
  if (p.q === '') {
    yield html`<p class="empty">Type words to find in every archived room; narrow by room and dates.</p>`;
    return;
  }
  let count = 0;
  const started = performance.now();
  for await (const hit of searchArchive(tree, {
    q: p.q,
    room: p.room || undefined,
    since: p.since || undefined,
    until: p.until || undefined,
    signal,
  })) {
    count += 1;
    yield hitBlock(links, hit, p.q);
    if (count >= SEARCH_LIMIT) break;
  }
  const ms = Math.round(performance.now() - started);
  yield count === 0
    ? html`<p class="summary">No messages contain “${p.q}”.</p>`
    : count >= SEARCH_LIMIT
      ? html`<p class="summary">The first ${SEARCH_LIMIT} results, most recent first (${ms} ms). Narrow by room or dates to see others.</p>`
      : html`<p class="summary">${count} ${count === 1 ? 'result' : 'results'}, most recent first (${ms} ms).</p>`;
}

/** The whole search page: the form, then the results as they are found. */
export async function* searchPage(
  tree: ArchiveTree,
  links: Links,
  p: SearchParams,
  signal?: AbortSignal,
): AsyncGenerator<Html> {
  yield pageStart({ title: p.q ? `“${p.q}” · search` : 'Search', links });
  yield html`<h1>Search</h1>\n${searchForm(tree, links, p)}<div id="results" aria-live="polite">\n`;
  yield* searchResults(tree, links, p, signal);
  yield html`</div>\n${pageEnd()}`;
}
