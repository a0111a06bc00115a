import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { followRoom } from '../tail.js';
import { isDay } from '../tree.js';
import { type DayRef, daySeparator } from './day-page.js';
import { anchor, renderLine } from './line.js';
import type { Links } from './links.js';
import { SECURITY_HEADERS } from './respond.js';

// A comment line now and then keeps proxies and idle timers from closing a quiet stream.
const HEARTBEAT_MS = 15_000;

/**
 * Streams a room's new lines as Server-Sent Events from `day` at byte `offset` (or from the
 * `Last-Event-ID` a reconnecting browser sends, `<day>:<offset>`). Each `line` event carries
 * the line's HTML; a `day` event says the log carries on in a later day's file. Lines of a
 * later day than the page's link to that day's page.
 */
export async function streamLive(
  req: IncomingMessage,
  res: ServerResponse,
  options: { ref: DayRef; roomDir: string; offset: number; links: Links; signal: AbortSignal },
): Promise<void> {
  const { ref, links } = options;
  let day = ref.day;
  let offset = options.offset;
  const last = /^(\d{4}-\d{2}-\d{2}):(\d{1,15})$/.exec(String(req.headers['last-event-id'] ?? ''));
  if (last && isDay(last[1]!) && last[1]! >= ref.day) {
    day = last[1]!;
    offset = Number(last[2]);
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  try {
    for await (const event of followRoom({
      roomDir: options.roomDir,
      day,
      offset,
      signal: options.signal,
    })) {
      if (event.type === 'day') {
        const html = daySeparator(links, ref, event.day).value;
        const href = links.day(ref.server.segment, ref.room.segment, event.day);
        await send(
          res,
          `id: ${event.day}:0\nevent: day\ndata: ${JSON.stringify({ day: event.day, href, html })}\n\n`,
        );
        continue;
      }
      const id = anchor(event.record);
      const html = (
        event.day === ref.day
          ? renderLine(event.record, { href: `#${id}`, id })
          : renderLine(event.record, {
              href: `${links.day(ref.server.segment, ref.room.segment, event.day)}#${id}`,
            })
      ).value;
      await send(
        res,
        `id: ${event.day}:${event.end}\nevent: line\ndata: ${JSON.stringify({ html })}\n\n`,
      );
    }
  } finally {
    clearInterval(beat);
    res.end();
  }
}

/** Writes one event; a slow reader holds the tail back instead of growing the buffer. */
async function send(res: ServerResponse, event: string): Promise<void> {
  if (!res.write(event)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
