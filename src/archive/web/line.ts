import { type ReadRecord, recordTime } from '../record.js';
import { type Html, html } from './html.js';
import { highlight, linkify, nameColour } from './text.js';

/** How one line is linked and marked. */
export interface LineOptions {
  /** The permalink (`#L12` on the day's page, the day's URL + `#L12` elsewhere). */
  href: string;
  /** The element id, on the day's page only (`L12`). */
  id?: string;
  /** A search hit: the query is highlighted instead of links being made. */
  query?: string;
}

/** The `L<seq>` anchor of a record. */
export function anchor(record: Pick<ReadRecord, 'seq'>): string {
  return `L${record.seq}`;
}

function name(record: ReadRecord): Html {
  // <bdi>: a right-to-left or bidi-override name cannot reorder the text around it.
  return html`<span class="n ${nameColour(record.from)}"><bdi>${record.from}</bdi></span>`;
}

function event(record: ReadRecord): Html {
  const who = name(record);
  switch (record.kind) {
    case 'join':
      return html`*** ${who} joined`;
    case 'leave':
      return html`*** ${who} left`;
    case 'quit':
      return record.text ? html`*** ${who} quit (${record.text})` : html`*** ${who} quit`;
    default:
      return record.text
        ? html`*** ${who} ${record.rawType}: ${record.text}`
        : html`*** ${who} ${record.rawType}`;
  }
}

/**
 * One archived event as a line of HTML: the time (the permalink), the name in its colour and
 * the text with links; joins, leaves and quits are muted. Everything from the record is
 * escaped.
 *
 * @example
 * renderLine(record, { href: '#L12', id: 'L12' })
 */
export function renderLine(record: ReadRecord, options: LineOptions): Html {
  const time = html`<a class="t" href="${options.href}">${recordTime(record)}</a>`;
  const id = options.id ? html` id="${options.id}"` : '';
  if (record.kind !== 'post') {
    return html`<div class="l ev k-${record.kind}"${id}>${time}<span class="m">${event(record)}</span></div>\n`;
  }
  const text =
    options.query !== undefined
      ? highlight(record.text ?? '', options.query)
      : linkify(record.text ?? '');
  const match = options.query !== undefined ? ' match' : '';
  return html`<div class="l${match}"${id}>${time}${name(record)}<span class="m">${text}</span></div>\n`;
}
