import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveViewer, startArchiveViewer } from '../../../src/archive/web/index.js';
import { type ArchiveFixture, archiveFixture } from '../../unit/archive/fixture.js';
import { expectInertHtml, XSS_PAYLOADS } from '../../unit/archive/web/xss.js';

let fx: ArchiveFixture;
let viewer: ArchiveViewer | undefined;
const closers: (() => void)[] = [];

beforeEach(() => {
  fx = archiveFixture();
});
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await viewer?.close();
  viewer = undefined;
  fx.remove();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP GET (the path is sent exactly as given, unnormalised). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: viewer!.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => {
        body += s;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SERVER = '127.0.0.1_17734';

function writeDays(): void {
  const { writer } = fx;
  fx.at('2026-11-24T08:00:00Z');
  writer.write({ room: 'dev', type: 'post', from: 'erin', text: 'old news' });
  fx.at('2026-11-25T10:00:00Z');
  writer.write({ room: 'ops', type: 'join', from: 'alice' });
  writer.write({ room: 'ops', type: 'post', from: 'alice', text: 'deploy started' });
  fx.at('2026-11-26T10:00:00Z');
  writer.write({
    room: 'ops',
    type: 'post',
    from: 'bob',
    text: 'deploy done, see https://x.example/run',
  });
  writer.write({ room: 'ops', type: 'post', from: 'bob', text: 'thanks' });
  writer.write({ room: 'ops', type: 'leave', from: 'bob' });
  writer.close();
}

describe('relaykit archive web: pages', () => {
  beforeEach(async () => {
    writeDays();
    viewer = await startArchiveViewer({ dir: fx.dir, port: 0 });
  });

  it('lists servers, rooms most recently active first, days most recent first with post counts', async () => {
    const { status, body } = await get('/');
    expect(status).toBe(200);
    expect(body).toContain('127.0.0.1:17734');
    expect(body.indexOf('>ops<')).toBeLessThan(body.indexOf('>dev<'));
    const ops = body.slice(body.indexOf('>ops<'), body.indexOf('>dev<'));
    expect(
      [...ops.matchAll(/(\d{4}-\d\d-\d\d)<\/a> <span class="count">(\d+) messages?</g)].map(
        (m) => `${m[1]} ${m[2]}`,
      ),
    ).toEqual(['2026-11-26 2', '2026-11-25 1']);
    const room = await get(`/logs/${SERVER}/ops/`);
    expect(room.body).toMatch(/2026-11-26<\/a><\/td><td class="count">2 messages/);
    expect((await get(`/logs/${SERVER}/ops`)).headers.location).toBe(`/logs/${SERVER}/ops/`);
  });

  it('shows a day: permalinked lines, links, muted presence, previous and next day, downloads', async () => {
    const { status, body } = await get(`/logs/${SERVER}/ops/2026-11-26`);
    expect(status).toBe(200);
    expect(body).toContain('id="L1"><a class="t" href="#L1">10:00:00</a>');
    expect(body).toContain(
      '<a href="https://x.example/run" rel="nofollow noopener noreferrer ugc">',
    );
    expect(body).toMatch(/<div class="l ev k-leave" id="L3">.*bob.* left/);
    expect(body).toContain(`rel="prev" href="/logs/${SERVER}/ops/2026-11-25"`);
    expect(body).toContain('<span class="none">later →</span>');
    // The room's latest day offers the live tail, from where the page ended.
    const size = readFileSync(join(fx.dir, SERVER, 'ops', '2026-11-26.jsonl')).length;
    expect(body).toContain(`data-src="/live/${SERVER}/ops/2026-11-26?offset=${size}"`);
    const older = await get(`/logs/${SERVER}/ops/2026-11-25`);
    expect(older.body).toContain(`rel="next" href="/logs/${SERVER}/ops/2026-11-26"`);
    expect(older.body).not.toContain('data-src=');
    for (const ext of ['log', 'jsonl']) {
      const file = await get(`/logs/${SERVER}/ops/2026-11-26.${ext}`);
      expect(file.status).toBe(200);
      expect(file.body).toBe(
        readFileSync(join(fx.dir, SERVER, 'ops', `2026-11-26.${ext}`), 'utf8'),
      );
      expect(file.headers['content-disposition']).toBe(`attachment; filename="2026-11-26.${ext}"`);
    }
  });

  it('searches across rooms and days with filters, context and links to the line', async () => {
    const { body } = await get('/search?q=DEPLOY');
    const hits = [...body.matchAll(/<h3><a href="([^"]+)">/g)].map((m) => m[1]);
    expect(hits).toEqual([
      `/logs/${SERVER}/ops/2026-11-26#L1`,
      `/logs/${SERVER}/ops/2026-11-25#L2`,
    ]);
    expect(body).toContain('<mark>deploy</mark> done');
    expect(body).toMatch(/2 results/);
    const filtered = await get('/search?q=deploy&since=2026-11-26&room=ops&fragment=1');
    expect(filtered.body.startsWith('<article')).toBe(true);
    expect([...filtered.body.matchAll(/<article/g)].length).toBe(1);
    expect((await get('/search?q=nothing-like-this')).body).toContain('No messages contain');
  });

  it('sends a strict Content-Security-Policy and safety headers on every response', async () => {
    for (const path of [
      '/',
      '/search?q=x',
      `/logs/${SERVER}/ops/2026-11-26`,
      `/logs/${SERVER}/ops/2026-11-26.log`,
      '/assets/style.css',
      '/nope',
    ]) {
      const { headers } = await get(path);
      expect(headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('is read-only and answers only to loopback host names while bound to loopback', async () => {
    expect((await get('/', {}, 'POST')).status).toBe(405);
    expect((await get('/', {}, 'DELETE')).status).toBe(405);
    expect((await get('/', { Host: 'attacker.example' })).status).toBe(403);
    expect((await get('/', { Host: `localhost:${viewer!.port}` })).status).toBe(200);
    expect((await get('/', { Host: `[::1]:${viewer!.port}` })).status).toBe(200);
  });
});

describe('relaykit archive web: no URL reaches outside --dir', () => {
  it('answers 404 to traversal in every form and never shows a file outside the tree', async () => {
    writeDays();
    const secret = 'TOP-SECRET-CONTENT';
    writeFileSync(join(fx.dir, '..', `relaykit-secret-${process.pid}.jsonl`), `${secret}\n`);
    closers.push(() =>
      writeFileSync(join(fx.dir, '..', `relaykit-secret-${process.pid}.jsonl`), ''),
    );
    writeFileSync(join(fx.dir, 'secret.txt'), secret);
    // A symlinked room and a symlinked day pointing outside are not followed.
    mkdirSync(join(fx.dir, 'outside', 'room'), { recursive: true });
    writeFileSync(join(fx.dir, 'outside', 'room', '2026-11-26.jsonl'), `${secret}\n`);
    symlinkSync(join(fx.dir, 'outside', 'room'), join(fx.dir, SERVER, 'linked'));
    symlinkSync('/etc/passwd', join(fx.dir, SERVER, 'ops', '2026-11-27.log'));
    renameSync(join(fx.dir, 'outside'), join(fx.dir, '.hidden'));
    viewer = await startArchiveViewer({ dir: fx.dir, port: 0 });
    const paths = [
      '/../secret.txt',
      '/logs/../../etc/passwd',
      '/logs/%2e%2e/%2e%2e/etc/passwd',
      `/logs/${SERVER}/..%2f..%2fsecret.txt`,
      `/logs/${SERVER}/%2E%2E/2026-11-26.jsonl`,
      '/logs/..%2F..%2F/ops/2026-11-26.jsonl',
      `/logs/..%252f/ops/2026-11-26.jsonl`,
      `/logs/${SERVER}/ops/..%2F..%2F..%2Fsecret.txt`,
      `/logs/${SERVER}/ops/2026-11-26.jsonl%00.html`,
      `/logs/${SERVER}/ops/%2e%2e%5c%2e%2e%5csecret.txt`,
      `/logs/${SERVER}/linked/2026-11-26.jsonl`,
      `/logs/${SERVER}/linked/2026-11-26`,
      `/logs/${SERVER}/ops/2026-11-27.log`,
      '/logs/.hidden/room/2026-11-26.jsonl',
      '/logs/%2Ehidden/room/2026-11-26',
      `/live/${SERVER}/..%2f..%2f/2026-11-26`,
      '/assets/../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/secret.txt',
      `/logs/${SERVER}/ops/%ZZ`,
      `//etc/passwd`,
      `/logs//etc/passwd/x`,
    ];
    for (const path of paths) {
      const { status, body } = await get(path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain(secret);
      expect(body, path).not.toContain('root:');
    }
    const index = await get('/');
    expect(index.body).not.toContain('linked');
    expect(index.body).not.toContain('hidden');
  });
});

describe('relaykit archive web: escaping', () => {
  it('renders XSS payloads as names, texts and room names as inert text on every page', async () => {
    fx.at('2026-11-26T10:00:00Z');
    for (const payload of XSS_PAYLOADS) {
      fx.writer.write({ room: 'ops', type: 'join', from: payload });
      fx.writer.write({ room: 'ops', type: 'post', from: payload, text: payload });
      fx.writer.write({
        room: payload,
        type: 'post',
        from: 'x',
        text: `in a room named ${payload}`,
      });
      fx.writer.write({ room: 'ops', type: 'quit', from: payload });
    }
    fx.writer.close();
    viewer = await startArchiveViewer({ dir: fx.dir, port: 0 });
    const logOf = (page: string): string =>
      page.slice(
        page.indexOf('<div class="log"'),
        page.indexOf('</div>\n', page.lastIndexOf('<div class="l')) + 6,
      );
    const day = await get(`/logs/${SERVER}/ops/2026-11-26`);
    expect(day.status).toBe(200);
    expectInertHtml(logOf(day.body));
    expect(day.body).not.toContain('<script>alert');
    const search = await get(`/search?q=${encodeURIComponent('<script>')}&fragment=1`);
    expect(search.body).toContain('&lt;script&gt;');
    expectInertHtml(search.body);
    const index = await get('/');
    expectInertHtml(
      index.body
        .slice(index.body.indexOf('<h1>'), index.body.indexOf('</main>'))
        .replace(/<\/?(h1|h2|h3|section|ul|li)( class="[a-z]+")?>/g, ''),
    );
    // Every room page, reached through the index's own links, renders.
    for (const m of index.body.matchAll(/<h3><a href="([^"]+)"/g)) {
      const room = await get(m[1]!.replaceAll('&amp;', '&'));
      expect(room.status, m[1]).toBe(200);
      expect(room.body.slice(room.body.indexOf('<main>'))).not.toMatch(
        /<(script|img|svg|iframe|style)\b/,
      );
    }
  });
});
