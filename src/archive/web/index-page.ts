import type { ArchiveRoom, ArchiveServer, ArchiveTree } from '../tree.js';
import { type Html, html } from './html.js';
import type { Links } from './links.js';
import { page } from './layout.js';

// The index shows each room's most recent days; the room's page lists them all.
const RECENT_DAYS = 7;

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `42 messages` for a day. */
export function postCount(n: number): string {
  return plural(n, 'message', 'messages');
}

function dayList(
  tree: ArchiveTree,
  links: Links,
  server: string,
  room: ArchiveRoom,
  limit: number,
): Html {
  const items = room.days.slice(0, limit).map((d) => {
    const count = d.jsonl
      ? html`<span class="count">${postCount(tree.posts(server, room.segment, d.day))}</span>`
      : '';
    return html`<li><a href="${links.day(server, room.segment, d.day)}">${d.day}</a> ${count}</li>\n`;
  });
  return html`<ul class="days">${items}</ul>`;
}

function serverSection(tree: ArchiveTree, links: Links, server: ArchiveServer): Html {
  const rooms = server.rooms.map(
    (room) => html`<li class="room">
<h3><a href="${links.room(server.segment, room.segment)}"><span class="hash">#</span>${room.name}</a>
<span class="muted">${plural(room.days.length, 'day', 'days')}</span></h3>
${dayList(tree, links, server.segment, room, RECENT_DAYS)}
${room.days.length > RECENT_DAYS ? html`<a class="more" href="${links.room(server.segment, room.segment)}">all ${room.days.length} days →</a>` : ''}
</li>
`,
  );
  return html`<section class="server">
<h2>${server.name}</h2>
<ul class="rooms">${rooms}</ul>
</section>
`;
}

/** The archive's front page: servers, their rooms, and each room's recent days with counts. */
export function indexPage(tree: ArchiveTree, links: Links): Html {
  const servers = tree.servers();
  const body =
    servers.length === 0
      ? html`<h1>Archive</h1><p class="empty">No archived rooms yet in this directory. Start one with <code>relaykit archive ROOM --dir DIR</code>.</p>`
      : html`<h1>Archive</h1>${servers.map((s) => serverSection(tree, links, s))}`;
  return page({ title: 'Archive', links, search: {} }, body);
}

/** A room's page: every day, most recent first, with counts and downloads. */
export function roomPage(
  tree: ArchiveTree,
  links: Links,
  server: ArchiveServer | { segment: string; name: string },
  room: ArchiveRoom,
): Html {
  const rows = room.days.map((d) => {
    const count = d.jsonl ? postCount(tree.posts(server.segment, room.segment, d.day)) : '';
    return html`<tr><td><a href="${links.day(server.segment, room.segment, d.day)}">${d.day}</a></td><td class="count">${count}</td><td class="dl">${
      d.log
        ? html`<a href="${links.file(server.segment, room.segment, d.day, 'log')}" download>.log</a>`
        : ''
    } ${d.jsonl ? html`<a href="${links.file(server.segment, room.segment, d.day, 'jsonl')}" download>.jsonl</a>` : ''}</td></tr>\n`;
  });
  const body = html`<h1><span class="hash">#</span>${room.name}</h1>
<p class="meta">${server.name} · ${plural(room.days.length, 'day', 'days')}</p>
<table class="daytable"><thead><tr><th>Day</th><th>Messages</th><th>Download</th></tr></thead><tbody>${rows}</tbody></table>
`;
  return page(
    {
      title: `#${room.name} · ${server.name}`,
      links,
      crumbs: [[server.name, links.index()]],
      search: { room: room.segment },
    },
    body,
  );
}
