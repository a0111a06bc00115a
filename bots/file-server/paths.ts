import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';

/** A path a user asked for, resolved inside the shared folder. */
export interface Resolved {
  ok: true;
  /** The real path on disk (symlinks resolved, still inside the folder). */
  path: string;
  /** The path as the user sees it, relative to the folder ('' for the folder itself). */
  shown: string;
}

/** Why a path was refused: a sentence for the user that says what to do. */
export interface Refused {
  ok: false;
  reason: 'outside' | 'missing';
  answer: string;
}

/** True for names `ls` and `find` never show (dot files, the SDK's partial uploads). */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** True when `path` is `root` or below it. */
export function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves what a user typed against the shared folder `root` (already a real path). Refuses
 * absolute paths, `..`, and anything that leads outside through a symlink; a hidden name
 * answers like a missing one, so hidden files stay hidden.
 *
 * @example
 * await resolveInside('/srv/files', 'docs/a.txt') // { ok: true, path: '/srv/files/docs/a.txt', shown: 'docs/a.txt' }
 */
export async function resolveInside(root: string, typed: string): Promise<Resolved | Refused> {
  const text = typed.trim();
  if (isAbsolute(text) || text.startsWith('/') || text.startsWith('\\') || /^[a-z]:/i.test(text)) {
    return {
      ok: false,
      reason: 'outside',
      answer: `Paths start at the shared folder: ask for docs/a.txt rather than /docs/a.txt (send ls to see what is there).`,
    };
  }
  const parts = text.split(/[/\\]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    return {
      ok: false,
      reason: 'outside',
      answer: `".." is not allowed: only the shared folder is served. Send ls to see what is there.`,
    };
  }
  const shown = parts.join('/');
  const missing: Refused = {
    ok: false,
    reason: 'missing',
    answer: `There is no ${shown === '' ? 'such file' : `"${shown}"`} here. Send ls to see the files, or find <text> to search for one.`,
  };
  if (parts.some(isHidden)) return missing;
  let real: string;
  try {
    real = await realpath(join(root, ...parts));
  } catch {
    return missing;
  }
  if (!within(root, real)) {
    return {
      ok: false,
      reason: 'outside',
      answer: `"${shown}" points outside the shared folder, so it is not served. Ask for another file (send ls to see them).`,
    };
  }
  return { ok: true, path: real, shown };
}

/** What a directory entry is, once symlinks are followed (null: broken or leads outside). */
export async function entryKind(
  root: string,
  path: string,
): Promise<{ kind: 'file' | 'dir'; size: number; mtimeMs: number; real: string } | null> {
  try {
    const real = await realpath(path);
    if (!within(root, real)) return null;
    const info = await stat(real);
    if (info.isDirectory()) return { kind: 'dir', size: 0, mtimeMs: info.mtimeMs, real };
    if (info.isFile()) return { kind: 'file', size: info.size, mtimeMs: info.mtimeMs, real };
    return null;
  } catch {
    return null;
  }
}

/** `path` relative to `root`, with forward slashes (what users type). */
export function shownPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
