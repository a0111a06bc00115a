/**
 * Turns any room or server name into one safe path segment: characters outside
 * `A–Z a–z 0–9 _ - .` become `%XX` (their UTF-8 bytes), and a leading `.` is encoded too, so
 * the result is never `.`, `..`, a hidden file or a path. The mapping is reversible
 * (`decodeURIComponent`), so two distinct names never share a directory (on a case-sensitive
 * file system).
 *
 * @example
 * safeSegment('ops')      // 'ops'
 * safeSegment('../etc')   // '%2E.%2Fetc'
 * safeSegment('::1_17734') // '%3A%3A1_17734'
 */
export function safeSegment(name: string): string {
  if (name.length === 0) throw new RangeError('A path segment needs at least one character');
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const safe =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x5f ||
      byte === 0x2d ||
      (byte === 0x2e && out.length > 0);
    out += safe
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // Windows device names stay devices whatever their extension; encoding the first letter
  // keeps an archive copied there readable.
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(out)) {
    out = `%${out.charCodeAt(0).toString(16).toUpperCase()}${out.slice(1)}`;
  }
  return out;
}

/**
 * The `<server>` segment of an archive path: `host_port`, made safe. A list `a:1,b:2` (nodes
 * of one relay a client fails over between) is archived under its first node, so the folder
 * stays the same whichever node the archiver is on.
 */
export function serverSegment(server: string | { host: string; port: number }): string {
  if (typeof server !== 'string') return safeSegment(`${server.host}_${server.port}`);
  const first = server.split(',')[0]!;
  // 'host:port' → 'host_port'; the last colon splits, so '[::1]:17734' works too.
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(first);
  return safeSegment(m ? `${m[1]}_${m[2]}` : first);
}

/** `YYYY-MM-DD` of `date` in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `HH:MM:SS` of `date` in UTC. */
export function utcTime(date: Date): string {
  return date.toISOString().slice(11, 19);
}
