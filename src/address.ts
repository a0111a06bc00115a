/** A host and port to dial or listen on. */
export interface ServerAddress {
  host: string;
  port: number;
  /** Dial with TLS (`tls://host:port`). */
  tls?: boolean;
}

/** What `parseAddress` fills in when the text leaves a part out; absent means required. */
export interface AddressDefaults {
  host?: string;
  port?: number;
}

/**
 * Parses `host:port`, or `[v6]:port` for IPv6, optionally behind `tls://` (TLS) or `tcp://`
 * (plaintext, the default). With `defaults`, `host` alone and `:port` are accepted too.
 * Returns the reason (a phrase, for the caller to put in its own message) when the text is
 * not an address. The CLI's `--server` and a recipe's `server:` both use it, one address at
 * a time (a list splits first: `parseAddressList`).
 *
 * @example
 * parseAddress('chat.example.org:17734')        // { host: 'chat.example.org', port: 17734 }
 * parseAddress('[::1]', { port: 17734 })         // { host: '::1', port: 17734 }
 * parseAddress('example')                        // { error: 'the port is missing' }
 */
export function parseAddress(
  value: string,
  defaults: AddressDefaults = {},
): ServerAddress | { error: string } {
  let text = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  let tls = false;
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== 'tls' && name !== 'tcp') {
      return { error: `unknown scheme ${name}://; use tls://host:port for TLS, or host:port` };
    }
    tls = name === 'tls';
    text = text.slice(scheme[0].length);
  }
  const withScheme = (a: { host: string; port: number }): ServerAddress =>
    tls ? { ...a, tls: true } : a;
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== -1 && text.indexOf(':') !== colon) {
      return { error: 'write an IPv6 address in brackets' };
    }
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
  }
  if (host === '') {
    if (defaults.host === undefined) return { error: 'the host is missing' };
    host = defaults.host;
  }
  if (/[\s[\]]/.test(host)) return { error: 'the host may not contain spaces or brackets' };
  if (portText === undefined) {
    if (defaults.port === undefined) return { error: 'the port is missing' };
    return withScheme({ host, port: defaults.port });
  }
  if (!/^\d{1,5}$/.test(portText)) {
    return { error: `the port ${JSON.stringify(portText)} is not a number` };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return { error: `the port ${port} is outside 1–65535` };
  return withScheme({ host, port });
}

/**
 * Parses a comma-separated list of addresses (`a:17734,b:17734`: nodes of one relay to fail
 * over between), each entry with `parse` (default `parseAddress` without defaults). With one
 * entry the error is `parse`'s; with several it names the entry (`entry 2 "b:x": …`). The
 * entries must agree on TLS: a list mixing `tls://` and plaintext is refused.
 *
 * @example
 * parseAddressList('a:1,b:2')   // { addresses: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] }
 * parseAddressList('a:1,b')     // { error: 'entry 2 "b": the port is missing' }
 */
export function parseAddressList(
  value: string,
  parse: (entry: string) => ServerAddress | { error: string } = (entry) => parseAddress(entry),
): { addresses: ServerAddress[] } | { error: string } {
  const entries = value.split(',');
  if (entries.length === 1) {
    const one = parse(value);
    return 'error' in one ? one : { addresses: [one] };
  }
  const addresses: ServerAddress[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.trim() === '') {
      return { error: `entry ${i + 1} is empty (a stray comma?)` };
    }
    const address = parse(entry);
    if ('error' in address) {
      return { error: `entry ${i + 1} ${JSON.stringify(entry.trim())}: ${address.error}` };
    }
    addresses.push(address);
  }
  const mixed = mixedTransport(addresses);
  return mixed === null ? { addresses } : { error: mixed };
}

/**
 * Why a list of addresses cannot be dialled as one (some `tls://`, some plaintext), or null.
 * The servers of one list are nodes of one relay and share its transport and TLS settings.
 */
export function mixedTransport(addresses: readonly ServerAddress[]): string | null {
  const secure = addresses.filter((a) => a.tls === true).length;
  if (secure === 0 || secure === addresses.length) return null;
  return 'the entries mix tls:// and plaintext, but the servers of one list share one transport: write tls:// before every entry or before none';
}

/**
 * Formats an address as `host:port` (`[v6]:port` for IPv6, `tls://` before either for TLS),
 * the form `parseAddress` reads.
 *
 * @example
 * formatAddress({ host: '::1', port: 4000 })                 // '[::1]:4000'
 * formatAddress({ host: 'chat', port: 17734, tls: true })    // 'tls://chat:17734'
 */
export function formatAddress({ host, port, tls }: ServerAddress): string {
  const text = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return tls === true ? `tls://${text}` : text;
}
