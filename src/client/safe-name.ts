import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, extname, join, resolve, sep } from 'node:path';

// Received file names pass the protocol's rules but are still untrusted: '.', '..', names
// made only of dots, backslashes (a separator on Windows), device names, or names too long
// for the file system. The result is always one plain name that stays inside the directory.

const MAX_NAME_BYTES = 200; // under the usual 255-byte limit, leaving room for " (123)"
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const width = Buffer.byteLength(ch, 'utf8');
    if (bytes + width > maxBytes) break;
    out += ch;
    bytes += width;
  }
  return out;
}

/**
 * Turns a received file name into a safe single path component: separators and characters
 * that file systems refuse become `_`, dot-only names become `file`, and long names are
 * shortened keeping their extension.
 *
 * @example
 * safeFileName('..')             // 'file'
 * safeFileName('a\\..\\b.txt')   // 'a_.._b.txt'
 */
export function safeFileName(name: string): string {
  let safe = name.replace(/[/\\:*?"<>|\p{Cc}]/gu, '_').trim();
  if (/^[.\s]*$/u.test(safe)) safe = 'file';
  if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
  if (Buffer.byteLength(safe, 'utf8') > MAX_NAME_BYTES) {
    const ext = truncateUtf8(extname(safe), 20);
    safe =
      truncateUtf8(
        safe.slice(0, safe.length - ext.length),
        MAX_NAME_BYTES - Buffer.byteLength(ext),
      ) + ext;
  }
  return safe;
}

/** `report.txt`, `report (1).txt`, `report (2).txt`, ... */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const ext = extname(name);
  const stem = ext === '' || ext === name ? name : name.slice(0, -ext.length);
  const suffixExt = stem === name ? '' : ext;
  return `${stem} (${n})${suffixExt}`;
}

/** Joins `dir` and a safe `name`, and proves the result is directly inside `dir`. */
export function pathInside(dir: string, name: string): string {
  const root = resolve(dir);
  const full = resolve(root, name);
  if (basename(full) !== name || resolve(full, '..') !== root || !full.startsWith(root + sep)) {
    throw new Error(`Refusing to write outside ${root}: ${JSON.stringify(name)}`);
  }
  return join(root, name);
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
