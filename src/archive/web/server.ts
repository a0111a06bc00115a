import { createReadStream, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RelayKitError } from '../../errors.js';
import { ArchiveTree, isDay } from '../tree.js';
import { dayPage } from './day-page.js';
import { html } from './html.js';
import { indexPage, roomPage } from './index-page.js';
import { page } from './layout.js';
import { serverLinks as links } from './links.js';
import { streamLive } from './live.js';
import { SECURITY_HEADERS, sendHtml, sendText, streamHtml } from './respond.js';
import { APP_JS } from './script.js';
import { searchPage, searchParams, searchResults } from './search-page.js';
import { STYLE_CSS } from './style.js';

/** Options of `startArchiveViewer`. */
export interface ArchiveViewerOptions {
  /** The archive root `relaykit archive --dir` wrote. */
  dir: string;
  /** Default 127.0.0.1: the archive stays on this machine unless asked otherwise. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Most live-tail streams open at once (default 200); more get 503. */
  maxLiveStreams?: number;
  /** Called with failures while serving a request (the request gets a 500). */
  onError?: (err: unknown) => void;
}

/** A running viewer. */
export interface ArchiveViewer {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every open page and live stream. */
  close(): Promise<void>;
}

/** Why the viewer could not start; `code` is `ARCHIVE_DIR` or the listen error's code. */
export class ArchiveViewerError extends RelayKitError {}

const ASSETS: Record<string, { type: string; body: string }> = {
  'style.css': { type: 'text/css; charset=utf-8', body: STYLE_CSS },
  'app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
};

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function isLoopback(host: string): boolean {
  return host === '::1' || LOOPBACK_HOST.test(host);
}

/**
 * Serves an archive tree read-only over HTTP (node:http): the index, rooms, day logs with
 * permalinks, search, raw downloads and a live tail by Server-Sent Events. Bound to loopback,
 * it also refuses requests whose `Host` is not a loopback name, so a web page elsewhere
 * cannot read the archive through DNS rebinding.
 *
 * @example
 * const viewer = await startArchiveViewer({ dir: './irc-logs', port: 0 })
 * console.log(viewer.url)
 * await viewer.close()
 */
export async function startArchiveViewer(options: ArchiveViewerOptions): Promise<ArchiveViewer> {
  if (!statSync(options.dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ArchiveViewerError(
      'ARCHIVE_DIR',
      `${options.dir} is not a directory. Give --dir the directory \`relaykit archive --dir\` writes to.`,
    );
  }
  const tree = new ArchiveTree(options.dir);
  const host = options.host ?? '127.0.0.1';
  const maxLive = options.maxLiveStreams ?? 200;
  const open = new Set<AbortController>();
  let live = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'This archive is read-only: only GET and HEAD.', { Allow: 'GET, HEAD' });
      return;
    }
    const target = req.url ?? '/';
    // A path is appended, not resolved: `//x` is then a path, not a host.
    let url: URL;
    try {
      url = new URL(target.startsWith('/') ? `http://viewer.invalid${target}` : target);
    } catch {
      sendText(res, 400, 'Malformed request target.');
      return;
    }
    if (
      isLoopback(host) &&
      !isLoopback(url.hostname === 'viewer.invalid' ? hostOf(req) : url.hostname)
    ) {
      sendText(res, 403, 'This viewer answers only to localhost names (it is bound to loopback).');
      return;
    }
    const head = req.method === 'HEAD';
    const parts = pathParts(url.pathname);
    if (!parts) return notFound(res, head);
    const controller = new AbortController();
    open.add(controller);
    res.on('close', () => controller.abort());
    try {
      await route(parts, url, req, res, head, controller.signal);
    } finally {
      open.delete(controller);
    }
  };

  const route = async (
    parts: string[],
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    head: boolean,
    signal: AbortSignal,
  ): Promise<void> => {
    const [first, server, room, leaf, ...rest] = parts;
    if (parts.length === 0) return sendHtml(res, 200, indexPage(tree, links), head);
    // Browsers ask for it unprompted; there is none, and a 404 would fill their console.
    if (first === 'favicon.ico' && parts.length === 1) {
      res.writeHead(204, SECURITY_HEADERS);
      res.end();
      return;
    }
    if (first === 'assets' && parts.length === 2 && Object.hasOwn(ASSETS, parts[1]!)) {
      const asset = ASSETS[parts[1]!]!;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.type,
        'Cache-Control': 'no-cache',
      });
      res.end(head ? undefined : asset.body);
      return;
    }
    if (first === 'search' && parts.length === 1) {
      const p = searchParams(url.searchParams);
      if (url.searchParams.get('fragment') === '1') {
        return streamHtml(res, searchResults(tree, links, p, signal), head);
      }
      return streamHtml(res, searchPage(tree, links, p, signal), head);
    }
    if ((first !== 'logs' && first !== 'live') || !server || !room || rest.length > 0) {
      return notFound(res, head);
    }
    const found = tree.room(server, room);
    if (!found) return notFound(res, head);
    const ref = { server: { segment: server, name: serverNameOf(tree, server) }, room: found };
    if (first === 'live') {
      const roomDir = tree.roomPath(server, room);
      if (!leaf || !isDay(leaf) || !roomDir) return notFound(res, head);
      if (live >= maxLive) return sendText(res, 503, 'Too many live pages are open; reload later.');
      live += 1;
      try {
        const offset = Number(url.searchParams.get('offset') ?? '0');
        return await streamLive(req, res, {
          ref: { ...ref, day: leaf },
          roomDir,
          offset: Number.isSafeInteger(offset) && offset >= 0 ? offset : 0,
          links,
          signal,
        });
      } finally {
        live -= 1;
      }
    }
    if (leaf === undefined) {
      if (!url.pathname.endsWith('/')) {
        return sendText(res, 301, 'Moved', { Location: links.room(server, room) });
      }
      return sendHtml(res, 200, roomPage(tree, links, ref.server, found), head);
    }
    const download = /^(\d{4}-\d{2}-\d{2})\.(jsonl|log)$/.exec(leaf);
    if (download) {
      const path = tree.file(server, room, download[1]!, download[2] as 'jsonl' | 'log');
      if (!path) return notFound(res, head);
      return sendFile(res, path, leaf, download[2] as 'jsonl' | 'log', head);
    }
    if (!isDay(leaf) || !found.days.some((d) => d.day === leaf)) return notFound(res, head);
    return streamHtml(res, dayPage(tree, links, { ...ref, day: leaf }), head);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      options.onError?.(err);
      if (!res.headersSent)
        sendText(res, 500, 'The archive could not be read; see the viewer’s output.');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ArchiveViewerError(
          err.code ?? 'LISTEN',
          `Cannot listen on ${host}:${options.port ?? 8080}: ${err.message}. Pick another --port or --host.`,
          { cause: err },
        ),
      ),
    );
    http.listen(options.port ?? 8080, host, () => resolve());
  });
  const address = http.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    port: address.port,
    close: async () => {
      for (const c of open) c.abort();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

function hostOf(req: IncomingMessage): string {
  const value = req.headers.host ?? '';
  // `[::1]:8080` → `[::1]`, `localhost:8080` → `localhost`.
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(value);
  return m ? m[1]! : '';
}

function serverNameOf(tree: ArchiveTree, segment: string): string {
  return tree.servers().find((s) => s.segment === segment)?.name ?? segment;
}

/** The decoded path segments, or `undefined` when one cannot be decoded or is empty. */
function pathParts(pathname: string): string[] | undefined {
  const raw = pathname.split('/').slice(1);
  if (raw.at(-1) === '') raw.pop();
  const parts: string[] = [];
  for (const part of raw) {
    try {
      const decoded = decodeURIComponent(part);
      if (
        decoded === '' ||
        decoded.includes('/') ||
        decoded.includes('\\') ||
        decoded.includes('\0')
      ) {
        return undefined;
      }
      parts.push(decoded);
    } catch {
      return undefined;
    }
  }
  return parts;
}

function notFound(res: ServerResponse, head: boolean): void {
  sendHtml(
    res,
    404,
    page(
      { title: 'Not found', links },
      html`<h1>Not found</h1><p class="empty">No such page in this archive. <a href="${links.index()}">Back to the index</a>.</p>`,
    ),
    head,
  );
}

function sendFile(
  res: ServerResponse,
  path: string,
  name: string,
  ext: 'jsonl' | 'log',
  head: boolean,
): void {
  const size = statSync(path).size;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type':
      ext === 'log' ? 'text/plain; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Length': size,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-cache',
  });
  if (head || size === 0) {
    res.end();
    return;
  }
  // Exactly the size announced: the archiver may append while we send.
  createReadStream(path, { start: 0, end: size - 1 }).pipe(res);
}
