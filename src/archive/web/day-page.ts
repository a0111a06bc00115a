import { readRecords } from '../lines.js';
import type { ArchiveRoom, ArchiveTree } from '../tree.js';
import { type Html, html, raw } from './html.js';
import { postCount } from './index-page.js';
import { pageEnd, pageStart } from './layout.js';
import { anchor, renderLine } from './line.js';
import type { Links } from './links.js';

/** Which day of which room a page shows. */
export interface DayRef {
  server: { segment: string; name: string };
  room: ArchiveRoom;
  day: string;
}

function dayNav(links: Links, ref: DayRef): Html {
  const i = ref.room.days.findIndex((d) => d.day === ref.day);
  // Days are most recent first: the previous day is the next entry.
  const prev = ref.room.days[i + 1]?.day;
  const next = i > 0 ? ref.room.days[i - 1]?.day : undefined;
  const s = ref.server.segment;
  const r = ref.room.segment;
  return html`<nav class="daynav">${
    prev
      ? html`<a rel="prev" href="${links.day(s, r, prev)}">← ${prev}</a>`
      : html`<span class="none">← earlier</span>`
  }<a class="up" href="${links.room(s, r)}">all days</a>${
    next
      ? html`<a rel="next" href="${links.day(s, r, next)}">${next} →</a>`
      : html`<span class="none">later →</span>`
  }</nav>\n`;
}

/** The separator a live page shows when the log carries on in a new day. */
export function daySeparator(links: Links, ref: Omit<DayRef, 'day'>, day: string): Html {
  return html`<div class="l daysep"><a href="${links.day(ref.server.segment, ref.room.segment, day)}">${day}</a></div>\n`;
}

/**
 * A day's log page, produced in pieces so a large day streams: the head, the lines in
 * batches, then the foot. The last room day gets a live-tail hook (with the byte offset the
 * page was rendered to) when `links.live` exists.
 */
export async function* dayPage(tree: ArchiveTree, links: Links, ref: DayRef): AsyncGenerator<Html> {
  const s = ref.server.segment;
  const r = ref.room.segment;
  const entry = ref.room.days.find((d) => d.day === ref.day);
  const jsonl = tree.file(s, r, ref.day, 'jsonl');
  const downloads = [
    entry?.log ? html`<a href="${links.file(s, r, ref.day, 'log')}" download>.log</a>` : '',
    entry?.jsonl ? html` <a href="${links.file(s, r, ref.day, 'jsonl')}" download>.jsonl</a>` : '',
  ];
  yield pageStart({
    title: `#${ref.room.name} ${ref.day} · ${ref.server.name}`,
    links,
    crumbs: [
      [ref.server.name, links.index()],
      [`#${ref.room.name}`, links.room(s, r)],
    ],
    search: { room: r },
  });
  yield html`<h1><span class="hash">#</span>${ref.room.name} <span class="date">${ref.day}</span></h1>
<p class="meta">${ref.server.name} · ${postCount(jsonl ? tree.posts(s, r, ref.day) : 0)} · download ${downloads}</p>
${dayNav(links, ref)}<div class="log" id="log">
`;
  let offset = 0;
  if (jsonl) {
    let batch = '';
    for await (const { record, end } of readRecords(jsonl)) {
      const id = anchor(record);
      batch += renderLine(record, { href: `#${id}`, id }).value;
      offset = end;
      if (batch.length > 64 * 1024) {
        yield raw(batch);
        batch = '';
      }
    }
    yield raw(batch);
  } else {
    yield html`<p class="empty">This day has only a <a href="${links.file(s, r, ref.day, 'log')}">.log</a> file.</p>`;
  }
  const latest = ref.room.days[0]?.day === ref.day;
  const live =
    latest && links.live && jsonl
      ? html`<p class="live" id="live" hidden data-src="${links.live(s, r, ref.day, offset)}"><span class="dot"></span> <span class="state">live: new lines appear here as they are archived</span></p>\n`
      : '';
  yield html`</div>
${live}${dayNav(links, ref)}${pageEnd()}`;
}
