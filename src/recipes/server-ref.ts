import {
  formatAddress,
  mixedTransport,
  parseAddress,
  parseAddressList,
  type ServerAddress,
} from '../address.js';

/**
 * Where a bot connects: an in-process server (numbered from 1), or one or more servers by
 * address. A list (nodes of one relay) is dialled in turn, and the bot fails over between its
 * entries; `host`, `port` and `tls` are those of its first.
 */
export type ServerRef =
  | { kind: 'bundled'; index: number; text: string }
  | {
      kind: 'remote';
      host: string;
      port: number;
      tls: boolean;
      /** Every address, in order (one unless the recipe gave a list). */
      servers: readonly ServerAddress[];
      text: string;
    };

/** The reference used when a bot names no server and the CLI gives no `--server`. */
export const DEFAULT_SERVER: ServerRef = { kind: 'bundled', index: 1, text: 'bundled' };

const FORMS = 'expected host:port, tls://host:port, bundled or bundled:N';

/**
 * Parses a recipe's `server`: `bundled` (the first in-process server), `bundled:N` (the
 * N-th, so one recipe can bridge two servers without any running), or `host:port`
 * (`[::1]:17734` for IPv6; `tls://host:port` for TLS). A list of addresses, as a YAML list or
 * `a:17734,b:17734`, names the nodes of one relay to fail over between. Returns an error
 * message for anything else; for a YAML list, `entry` is the index of the item at fault.
 *
 * @example
 * parseServerRef('bundled:2') // { kind: 'bundled', index: 2, text: 'bundled:2' }
 * parseServerRef(['a:17734', 'b:17734']).text // 'a:17734,b:17734'
 */
export function parseServerRef(
  value: string | readonly string[],
): ServerRef | { error: string; entry?: number } {
  if (typeof value !== 'string') return parseList(value);
  const bundled = /^bundled(?::(\d+))?$/.exec(value);
  if (bundled) {
    const index = bundled[1] === undefined ? 1 : Number(bundled[1]);
    if (index < 1 || index > 16) return { error: 'bundled servers are numbered 1 to 16' };
    return { kind: 'bundled', index, text: index === 1 ? 'bundled' : `bundled:${index}` };
  }
  const list = parseAddressList(value, parseEntry);
  if ('error' in list) return { error: list.error };
  return remote(list.addresses, value);
}

function parseEntry(text: string): ServerAddress | { error: string } {
  if (/^bundled(:\d+)?$/.test(text.trim())) {
    return {
      error:
        'an in-process server cannot be part of a list: a list names the nodes of one running relay',
    };
  }
  const address = parseAddress(text);
  return 'error' in address ? { error: `${FORMS} (${address.error})` } : address;
}

function parseList(items: readonly string[]): ServerRef | { error: string; entry?: number } {
  if (items.length === 0) return { error: 'the list is empty; name at least one server' };
  const addresses: ServerAddress[] = [];
  for (const [i, item] of items.entries()) {
    const address = parseEntry(item);
    if ('error' in address) return { error: address.error, entry: i };
    addresses.push(address);
  }
  const mixed = mixedTransport(addresses);
  if (mixed !== null) return { error: mixed };
  return remote(addresses, '');
}

function remote(addresses: readonly ServerAddress[], text: string): ServerRef {
  const first = addresses[0]!;
  return {
    kind: 'remote',
    host: first.host,
    port: first.port,
    tls: first.tls === true,
    servers: addresses,
    // As written for one address (messages quote it); normalised for a list.
    text: addresses.length === 1 && text !== '' ? text : addresses.map(formatAddress).join(','),
  };
}
