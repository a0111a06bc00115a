import { parseAddress } from '../address.js';

/** Where a bot connects: an in-process server (numbered from 1) or a host and port. */
export type ServerRef =
  | { kind: 'bundled'; index: number; text: string }
  | { kind: 'remote'; host: string; port: number; tls: boolean; text: string };

/** The reference used when a bot names no server and the CLI gives no `--server`. */
export const DEFAULT_SERVER: ServerRef = { kind: 'bundled', index: 1, text: 'bundled' };

/**
 * Parses a recipe's `server`: `bundled` (the first in-process server), `bundled:N` (the
 * N-th, so one recipe can bridge two servers without any running), or `host:port`
 * (`[::1]:17734` for IPv6; `tls://host:port` for TLS). Returns an error message for anything
 * else.
 *
 * @example
 * parseServerRef('bundled:2') // { kind: 'bundled', index: 2, text: 'bundled:2' }
 */
export function parseServerRef(text: string): ServerRef | { error: string } {
  const bundled = /^bundled(?::(\d+))?$/.exec(text);
  if (bundled) {
    const index = bundled[1] === undefined ? 1 : Number(bundled[1]);
    if (index < 1 || index > 16) return { error: 'bundled servers are numbered 1 to 16' };
    return { kind: 'bundled', index, text: index === 1 ? 'bundled' : `bundled:${index}` };
  }
  const address = parseAddress(text);
  if ('error' in address)
    return {
      error: `expected host:port, tls://host:port, bundled or bundled:N (${address.error})`,
    };
  return {
    kind: 'remote',
    host: address.host,
    port: address.port,
    tls: address.tls === true,
    text,
  };
}
