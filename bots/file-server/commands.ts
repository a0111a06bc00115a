import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Client } from '../../src/index.js';
import { formatSize, formatTime, shownName } from './format.js';
import { helpLines } from './help.js';
import { findNames, type HashCache, listDir, lsPage, MAX_FOUND } from './listing.js';
import { entryKind, resolveInside, within } from './paths.js';
import type { UserQueues } from './queue.js';
import { userFolder } from './uploads.js';

/** What the commands need from the bot. */
export interface CommandDeps {
  client: Client;
  /** The shared folder's real path. */
  root: string;
  hashes: HashCache;
  queues: UserQueues;
  upload: boolean;
  /** The upload limits, in words, for `help`. */
  limits: string;
  /** Transfers each user may have running at once. */
  maxRunning: number;
}

/** Splits `ls docs page 2` into the folder and the page. */
function pageOf(arg: string): { path: string; page: number } {
  const m = /^(.*?)\s*\bpage\s+(\d+)\s*$/i.exec(arg);
  if (m === null) return { path: arg, page: 1 };
  return { path: m[1]!, page: Math.max(1, Number(m[2])) };
}

/**
 * Runs one command line from `user`; returns the answer's lines (each becomes a message).
 * Unknown commands get a pointer to `help`.
 */
export async function runCommand(deps: CommandDeps, user: string, text: string): Promise<string[]> {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const word = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const arg = space < 0 ? '' : trimmed.slice(space + 1).trim();
  switch (word) {
    case 'help':
    case '?':
      return helpLines(deps.upload, deps.limits, deps.maxRunning);
    case 'ls':
    case 'dir':
      return ls(deps, arg);
    case 'find':
      return find(deps, arg);
    case 'info':
      return info(deps, arg);
    case 'get':
      return get(deps, user, arg);
    case 'queue':
      return queue(deps, user);
    case 'cancel': {
      const n = deps.queues.clear(user);
      const running = deps.queues.running(user).length;
      return [
        n === 0
          ? 'Your queue is already empty.'
          : `Removed ${n} waiting file${n === 1 ? '' : 's'} from your queue.` +
            (running > 0 ? ` ${running} already running go on.` : ''),
      ];
    }
    case 'rm':
      return rm(deps, user, arg);
    default:
      return [`I do not know "${shownName(word)}". Send help to see the commands.`];
  }
}

async function ls(deps: CommandDeps, arg: string): Promise<string[]> {
  const { path, page } = pageOf(arg);
  const at = await resolveInside(deps.root, path);
  if (!at.ok) return [at.answer];
  const kind = await entryKind(deps.root, at.path);
  if (kind === null) return [`"${shownName(at.shown)}" is gone. Send ls to see what is there now.`];
  if (kind.kind === 'file') {
    return [
      `${shownName(at.shown)}  ${formatSize(kind.size)}  ${formatTime(kind.mtimeMs)} (a file: get ${at.shown} fetches it)`,
    ];
  }
  try {
    return lsPage(at.shown, await listDir(deps.root, at.path), page);
  } catch {
    return [`I cannot read "${shownName(at.shown)}" right now. Send ls to see the other folders.`];
  }
}

async function find(deps: CommandDeps, arg: string): Promise<string[]> {
  if (arg === '') return ['find needs some text to look for, for example: find report'];
  const { found, more } = await findNames(deps.root, arg);
  if (found.length === 0) {
    return [`Nothing here has "${shownName(arg)}" in its name. Try a shorter text, or send ls.`];
  }
  const lines = [`${found.length}${more ? '+' : ''} found for "${shownName(arg)}":`];
  lines.push(...found.map(shownName));
  if (more)
    lines.push(`Only the first ${MAX_FOUND} are shown; search for a longer text to narrow it.`);
  return lines;
}

async function info(deps: CommandDeps, arg: string): Promise<string[]> {
  if (arg === '') return ['info needs a file name, for example: info docs/report.pdf'];
  const at = await resolveInside(deps.root, arg);
  if (!at.ok) return [at.answer];
  const kind = await entryKind(deps.root, at.path);
  if (kind === null) return [gone(at.shown)];
  if (kind.kind === 'dir')
    return [`"${shownName(at.shown)}" is a folder: send ls ${at.shown} to see inside.`];
  let sha: string;
  try {
    sha = await deps.hashes.sha256(kind.real, kind.size, kind.mtimeMs);
  } catch {
    return [gone(at.shown)];
  }
  return [
    `${shownName(at.shown)}: ${formatSize(kind.size)} (${kind.size} bytes), modified ${formatTime(kind.mtimeMs)} UTC`,
    `sha256 ${sha}`,
  ];
}

/** The plain-words answer for a file that was there and is not any more. */
export function gone(shown: string): string {
  return `"${shownName(shown)}" is no longer here: it was removed or renamed. Send ls to see what is there now.`;
}

async function get(deps: CommandDeps, user: string, arg: string): Promise<string[]> {
  if (arg === '') return ['get needs a file name, for example: get docs/report.pdf'];
  const at = await resolveInside(deps.root, arg);
  if (!at.ok) return [at.answer];
  const kind = await entryKind(deps.root, at.path);
  if (kind === null) return [gone(at.shown)];
  if (kind.kind === 'dir') {
    return [
      `"${shownName(at.shown)}" is a folder: send ls ${at.shown} and get its files one by one.`,
    ];
  }
  const position = deps.queues.add(user, { typed: at.shown });
  if (position === 0) return [];
  return [
    `${shownName(at.shown)} waits in your queue (number ${position}): ${deps.maxRunning === 1 ? '1 file runs' : `${deps.maxRunning} files run`} at once. Send queue to see it, cancel to empty it.`,
  ];
}

function queue(deps: CommandDeps, user: string): string[] {
  const running = deps.queues.running(user);
  const waiting = deps.queues.waiting(user);
  if (running.length === 0 && waiting.length === 0) {
    return ['Nothing is running or waiting for you. Send get <name> to fetch a file.'];
  }
  const lines = [
    `running: ${running.length === 0 ? 'nothing' : running.map(shownName).join(', ')}`,
  ];
  if (waiting.length > 0) {
    lines.push(`waiting: ${waiting.map((w, i) => `${i + 1}. ${shownName(w.typed)}`).join(', ')}`);
    lines.push('Send cancel to empty the queue.');
  }
  return lines;
}

async function rm(deps: CommandDeps, user: string, arg: string): Promise<string[]> {
  if (!deps.upload) return ['Nothing can be removed here: this server takes no uploads.'];
  const mine = userFolder(user);
  if (arg === '')
    return [`rm needs the name of one of your uploads, for example: rm ${mine}/notes.txt`];
  // A bare name means one of the asker's own uploads.
  const typed = arg.includes('/') ? arg : `${mine}/${arg}`;
  const at = await resolveInside(deps.root, typed);
  if (!at.ok) return [at.answer];
  const own = await resolveInside(deps.root, mine);
  if (!own.ok || !within(own.path, at.path) || at.path === own.path) {
    return [
      `You can only remove your own uploads (in ${mine}/); "${shownName(at.shown)}" is not one of them.`,
    ];
  }
  const kind = await entryKind(deps.root, at.path);
  if (kind === null) return [gone(at.shown)];
  if (kind.kind === 'dir')
    return [`"${shownName(at.shown)}" is a folder; remove the files in it one by one.`];
  try {
    await unlink(at.path);
  } catch {
    return [gone(at.shown)];
  }
  return [`Removed ${shownName(at.shown)}.`];
}

/** The name a file is offered under: its own, when the protocol allows it. */
export function offeredName(path: string): string {
  return basename(path);
}
