import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Html } from './html.js';

/**
 * The headers every response carries. The policy allows only this origin's stylesheet and
 * script, no inline code, no frames, no forms posting elsewhere, no plugins: a message that
 * slipped past escaping still could not run.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const HTML_TYPE = 'text/html; charset=utf-8';

/** Sends one finished page. */
export function sendHtml(res: ServerResponse, status: number, body: Html, head = false): void {
  const bytes = Buffer.from(body.value, 'utf8');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': HTML_TYPE,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache',
  });
  res.end(head ? undefined : bytes);
}

/** Sends a page as its pieces are produced, honouring backpressure; stops if the client goes. */
export async function streamHtml(
  res: ServerResponse,
  pieces: AsyncIterable<Html>,
  head = false,
): Promise<void> {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': HTML_TYPE,
    'Cache-Control': 'no-cache',
  });
  if (head) {
    res.end();
    return;
  }
  for await (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece.value)) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  }
  res.end();
}

/** Sends a short plain-text answer (errors, redirects). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache',
    ...headers,
  });
  res.end(`${text}\n`);
}
