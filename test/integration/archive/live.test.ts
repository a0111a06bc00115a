import { renameSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveViewer, startArchiveViewer } from '../../../src/archive/web/index.js';
import { type ArchiveFixture, archiveFixture } from '../../unit/archive/fixture.js';

let fx: ArchiveFixture;
let viewer: ArchiveViewer;
const streams: IncomingMessage[] = [];

beforeEach(async () => {
  fx = archiveFixture();
  fx.at('2026-11-26T23:59:00Z');
  fx.writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'already there' });
  viewer = await startArchiveViewer({ dir: fx.dir, port: 0 });
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  await viewer.close();
  fx.remove();
});

interface SseEvent {
  id: string;
  event: string;
  data: { html?: string; day?: string; href?: string };
}

/** Opens an SSE stream; `next()` resolves with the next event (each arrives as written). */
function openStream(path: string, headers: Record<string, string> = {}) {
  const queue: SseEvent[] = [];
  const waiting: ((e: SseEvent) => void)[] = [];
  let buffer = '';
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: viewer.port, path, headers }, (res) => {
      streams.push(res);
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':') && l.includes(': '))
              .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
          );
          if (!fields.event) continue;
          const event = {
            id: fields.id ?? '',
            event: fields.event,
            data: JSON.parse(fields.data ?? '{}'),
          };
          const w = waiting.shift();
          if (w) w(event);
          else queue.push(event);
        }
      });
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
  return {
    opened,
    next: (): Promise<SseEvent> => {
      const e = queue.shift();
      return e ? Promise.resolve(e) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

const SERVER = '127.0.0.1_17734';
const dayFile = (day: string): string => join(fx.dir, SERVER, 'ops', `${day}.jsonl`);

describe('relaykit archive web: live tail', () => {
  it('streams new lines, survives a rotation with SIGHUP-style reopen, and follows the day over', async () => {
    const page = await (await fetch(`${viewer.url}logs/${SERVER}/ops/2026-11-26`)).text();
    const src = /data-src="([^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
    const live = openStream(src);
    const res = await live.opened;
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");

    fx.writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'new <b>line</b>' });
    const first = await live.next();
    expect(first.event).toBe('line');
    // Only what came after the page: not 'already there'.
    expect(first.data.html).toContain('id="L2"');
    expect(first.data.html).toContain('new &lt;b&gt;line&lt;/b&gt;');

    // logrotate moves the files away; SIGHUP makes the archiver reopen (a fresh file).
    renameSync(dayFile('2026-11-26'), `${dayFile('2026-11-26')}.1`);
    fx.writer.reopen();
    fx.writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'after rotation' });
    const rotated = await live.next();
    expect(rotated.data.html).toContain('after rotation');

    // UTC midnight: the archiver starts the next day's file.
    fx.at('2026-11-27T00:00:01Z');
    fx.writer.write({ room: 'ops', type: 'post', from: 'carol', text: 'good morning' });
    const day = await live.next();
    expect(day.event).toBe('day');
    expect(day.data.day).toBe('2026-11-27');
    expect(day.data.href).toBe(`/logs/${SERVER}/ops/2026-11-27`);
    const morning = await live.next();
    expect(morning.data.html).toContain('good morning');
    // A later day's line links to that day's page and takes no id of the page's own day.
    expect(morning.data.html).toContain(`href="/logs/${SERVER}/ops/2026-11-27#L1"`);
    expect(morning.data.html).not.toContain('id=');
    expect(morning.id).toMatch(/^2026-11-27:\d+$/);
  });

  it('resumes from Last-Event-ID after a reconnect without repeating or losing lines', async () => {
    fx.writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'two' });
    fx.writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'three' });
    const all = openStream(`/live/${SERVER}/ops/2026-11-26?offset=0`);
    await all.opened;
    const texts = [];
    let last = '';
    for (let i = 0; i < 2; i++) {
      const e = await all.next();
      texts.push(/<span class="m">([^<]*)</.exec(e.data.html!)![1]);
      last = e.id;
    }
    expect(texts).toEqual(['already there', 'two']);
    const resumed = openStream(`/live/${SERVER}/ops/2026-11-26?offset=0`, {
      'Last-Event-ID': last,
    });
    await resumed.opened;
    expect((await resumed.next()).data.html).toContain('three');
  });

  it('ends open streams when the viewer closes', async () => {
    const live = openStream(`/live/${SERVER}/ops/2026-11-26?offset=0`);
    const res = await live.opened;
    await live.next();
    const ended = new Promise<void>((resolve) => res.on('close', () => resolve()));
    await viewer.close();
    await ended;
    viewer = await startArchiveViewer({ dir: fx.dir, port: 0 });
  });
});
