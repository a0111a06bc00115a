import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSize, formatTime, shownName } from './format.js';
import { entryKind, isHidden, shownPath } from './paths.js';

/** One visible entry of a directory. */
export interface Entry {
  name: string;
  kind: 'file' | 'dir';
  size: number;
  mtimeMs: number;
}

/** Lines of one `ls` page. */
export const PAGE_LINES = 20;
/** Most results `find` answers with. */
export const MAX_FOUND = 50;
// A search stops after this many entries, so a huge tree cannot keep the bot busy.
const MAX_VISITED = 20_000;

/** The visible entries of `dir`, sorted by name (case-insensitive), directories marked. */
export async function listDir(root: string, dir: string): Promise<Entry[]> {
  const names = (await readdir(dir)).filter((n) => !isHidden(n));
  const entries: Entry[] = [];
  for (const name of names) {
    const kind = await entryKind(root, join(dir, name));
    if (kind !== null)
      entries.push({ name, kind: kind.kind, size: kind.size, mtimeMs: kind.mtimeMs });
  }
  return entries.sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** The lines of page `page` (from 1) of a listing of `shown`. */
export function lsPage(shown: string, entries: Entry[], page: number): string[] {
  const where = shown === '' ? 'the shared folder' : `${shownName(shown)}/`;
  if (entries.length === 0) return [`${where} is empty.`];
  const pages = Math.ceil(entries.length / PAGE_LINES);
  if (page > pages) {
    return [
      `${where} has ${pages} page${pages === 1 ? '' : 's'}; ask for page 1 to ${pages} (ls ${shown === '' ? '' : `${shown} `}page ${pages}).`,
    ];
  }
  const lines = [`${where}: ${entries.length} entries, page ${page} of ${pages}`];
  for (const e of entries.slice((page - 1) * PAGE_LINES, page * PAGE_LINES)) {
    lines.push(
      e.kind === 'dir'
        ? `${shownName(e.name)}/  -  ${formatTime(e.mtimeMs)}`
        : `${shownName(e.name)}  ${formatSize(e.size)}  ${formatTime(e.mtimeMs)}`,
    );
  }
  if (page < pages) lines.push(`more: ls ${shown === '' ? '' : `${shown} `}page ${page + 1}`);
  return lines;
}

/**
 * Visible files and directories under `root` whose name contains `text` (case-insensitive),
 * breadth first, at most MAX_FOUND; symlinked directories are not entered (no loops).
 */
export async function findNames(
  root: string,
  text: string,
): Promise<{ found: string[]; more: boolean }> {
  const needle = text.toLowerCase();
  const found: string[] = [];
  const queue = [root];
  let visited = 0;
  while (queue.length > 0) {
    const dir = queue.shift()!;
    let dirents: import('node:fs').Dirent[];
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: skip it
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of dirents) {
      if (isHidden(d.name)) continue;
      if (++visited > MAX_VISITED) return { found, more: true };
      const path = join(dir, d.name);
      const kind = await entryKind(root, path);
      if (kind === null) continue;
      if (d.name.toLowerCase().includes(needle)) {
        if (found.length === MAX_FOUND) return { found, more: true };
        found.push(shownPath(root, path) + (kind.kind === 'dir' ? '/' : ''));
      }
      if (d.isDirectory()) queue.push(path);
    }
  }
  return { found, more: false };
}

/**
 * sha256 of files, remembered by path, size and modification time: a file that changes gets
 * hashed again, one that does not is hashed once. Concurrent asks share one hashing.
 */
export class HashCache {
  readonly #known = new Map<string, Promise<string>>();

  /** The file's sha256 in hex. */
  sha256(path: string, size: number, mtimeMs: number): Promise<string> {
    const key = `${path}\u0000${size}\u0000${mtimeMs}`;
    let hash = this.#known.get(key);
    if (hash === undefined) {
      if (this.#known.size >= 10_000) this.#known.clear(); // bounded: old entries go
      hash = hashFile(path);
      this.#known.set(key, hash);
      hash.catch(() => this.#known.delete(key));
    }
    return hash;
  }
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
