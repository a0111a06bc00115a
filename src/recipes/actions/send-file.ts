import { realpath } from 'node:fs/promises';
import { z } from 'zod';
import { entryKind, resolveInside } from '../../../bots/file-server/paths.js';
import { ensureDirectory } from '../../ensure-directory.js';
import { defineAction } from '../define.js';
import { text } from '../schema-parts.js';
import type { TemplatePart } from '../template.js';

interface SendFilePlan {
  to?: TemplatePart[];
  path: TemplatePart[];
  root: string;
}

/**
 * `send_file: { to?, path }` offers a file from disk. `to` defaults to the event's sender;
 * `path` is a template resolved inside the recipe's `files_root` (`..`, absolute paths and
 * symlinks that lead outside are refused, hidden files are not served). A refusal or a
 * missing file is told to the recipient in a sentence and reported; the transfer runs on in
 * the background (tracked, so a stop waits for it).
 */
export const sendFileAction = defineAction({
  name: 'send_file',
  schema: z
    .strictObject({
      to: text('Recipient (a template); default: whoever sent the event.').optional(),
      path: text(
        'File to offer, a template relative to the recipe’s files_root, e.g. "{match.1}".',
      ),
    })
    .meta({ description: 'Offer a file from files_root.' }),
  compile: (spec, ctx): SendFilePlan | undefined => {
    if (ctx.filesRoot === undefined) {
      ctx.problem(
        'RECIPE_NO_FILES_ROOT',
        'send_file needs the folder it may send from: add `files_root: ./shared` at the top of the recipe',
      );
      return undefined;
    }
    return {
      ...(spec.to === undefined ? {} : { to: ctx.template(spec.to, [...ctx.path, 'to']) }),
      path: ctx.template(spec.path, [...ctx.path, 'path']),
      root: ctx.filesRoot,
    };
  },
  run: async (plan, { event, host, render }) => {
    const to = plan.to === undefined ? event.from : render(plan.to);
    if (to === undefined || to === '') {
      host.report(
        `${host.name}: send_file has no recipient: give it \`to\` (this trigger has no sender)`,
      );
      return;
    }
    ensureDirectory(plan.root);
    const root = await realpath(plan.root);
    const at = await resolveInside(root, render(plan.path));
    const kind = at.ok ? await entryKind(root, at.path) : null;
    if (!at.ok || kind === null || kind.kind !== 'file') {
      const answer = !at.ok
        ? at.answer
        : kind === null
          ? `"${at.shown}" is not here (it may have been removed or renamed); ask for another file.`
          : `"${at.shown}" is a folder; ask for one of the files in it.`;
      host.report(`${host.name}: send_file to ${to} refused: ${answer}`);
      await event.client.direct(to, answer).catch(() => undefined);
      return;
    }
    const transfer = event.client.sendFile(to, kind.real);
    host.track(
      transfer.done.then(
        (r) => host.report(`${host.name}: sent ${at.shown} to ${to} (${r.bytes} bytes)`),
        (err: unknown) =>
          host.report(
            `${host.name}: sending ${at.shown} to ${to} failed: ${(err as Error).message}`,
          ),
      ),
    );
  },
});
