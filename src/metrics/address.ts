/**
 * Parses a `--metrics` address: `host:port`, `[v6]:port` or `:port` (127.0.0.1), port 0
 * picking a free one. Returns a phrase saying what is wrong when it is not one.
 *
 * @example
 * parseMetricsAddress('127.0.0.1:9464') // { host: '127.0.0.1', port: 9464 }
 * parseMetricsAddress(':9464')          // { host: '127.0.0.1', port: 9464 }
 */
export function parseMetricsAddress(
  text: string,
): { host: string; port: number } | { error: string } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (match === null) {
    return { error: `${JSON.stringify(text)} is not host:port (e.g. 127.0.0.1:9464)` };
  }
  const port = Number(match[3]);
  if (port > 65_535) return { error: `the port ${port} is outside 0–65535` };
  const host = match[1] ?? (match[2] === '' ? '127.0.0.1' : match[2]!);
  return { host, port };
}
