const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size as people read it: 0 B, 1 B, 4.0 KiB, 256 MiB. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** A modification time in UTC, to the minute: 2026-12-03 09:41. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

// Characters no message may carry (controls, bidi controls) would make a listing unsendable.
function unsendable(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x61c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/** A file name made safe to put in a message: what a message cannot carry becomes `?`. */
export function shownName(name: string): string {
  let out = '';
  for (const ch of name) out += unsendable(ch.codePointAt(0)!) ? '?' : ch;
  return out;
}
