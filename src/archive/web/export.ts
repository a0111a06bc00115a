import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ensureDirectory } from '../../ensure-directory.js';
import { ArchiveTree } from '../tree.js';
import { dayPage } from './day-page.js';
import type { Html } from './html.js';
import { indexPage, roomPage } from './index-page.js';
import { staticLinks } from './links.js';
import { ArchiveViewerError } from './server.js';
import { STYLE_CSS } from './style.js';

/** What `exportSite` wrote. */
export interface ExportSummary {
  pages: number;
  /** Raw `.log` and `.jsonl` files copied. */
  files: number;
}

async function collect(pieces: AsyncIterable<Html>): Promise<string> {
  let out = '';
  for await (const piece of pieces) out += piece.value;
  return out;
}

/**
 * Writes the viewer's pages as a static site under `out`: `index.html`, one
 * `<server>/<room>/index.html` per room, one `<day>.html` per day beside copies of the day's
 * `.log` and `.jsonl`, and `assets/style.css`. Links are relative, so the site works from
 * any directory or host. Search and the live tail need the viewer and are left out.
 *
 * @example
 * await exportSite('./irc-logs', './site')
 */
export async function exportSite(dir: string, out: string): Promise<ExportSummary> {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ArchiveViewerError(
      'ARCHIVE_DIR',
      `${dir} is not a directory. Give --dir the directory \`relaykit archive --dir\` writes to.`,
    );
  }
  const from = resolve(dir);
  const to = resolve(out);
  if (to === from || to.startsWith(from + sep)) {
    throw new ArchiveViewerError(
      'EXPORT_INSIDE_ARCHIVE',
      `--out ${out} is inside the archive ${dir}; the copied files would look like archived rooms. Pick a directory outside it.`,
    );
  }
  const tree = new ArchiveTree(dir);
  const summary: ExportSummary = { pages: 0, files: 0 };
  const write = (path: string, body: string): void => {
    writeFileSync(join(to, path), body);
    summary.pages += 1;
  };
  ensureDirectory(join(to, 'assets'));
  writeFileSync(join(to, 'assets', 'style.css'), STYLE_CSS);
  write('index.html', indexPage(tree, staticLinks(0)).value);
  for (const server of tree.servers()) {
    for (const room of server.rooms) {
      const roomDir = join(to, server.segment, room.segment);
      // Both segments were listed from the archive and are safe names: no escape from `to`.
      if (relative(to, roomDir).startsWith('..')) continue;
      ensureDirectory(roomDir);
      const links = staticLinks(2);
      write(
        join(server.segment, room.segment, 'index.html'),
        roomPage(tree, links, server, room).value,
      );
      for (const day of room.days) {
        const ref = { server, room, day: day.day };
        write(
          join(server.segment, room.segment, `${day.day}.html`),
          await collect(dayPage(tree, links, ref)),
        );
        for (const ext of ['jsonl', 'log'] as const) {
          const path = tree.file(server.segment, room.segment, day.day, ext);
          if (!path) continue;
          copyFileSync(path, join(roomDir, `${day.day}.${ext}`));
          summary.files += 1;
        }
      }
    }
  }
  return summary;
}
