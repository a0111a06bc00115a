import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { safeFileName } from '../../client/index.js';
import { ensureDirectory } from '../../ensure-directory.js';
import { parseSize, SIZE_FORMS } from '../../size.js';
import { defineAction } from '../define.js';
import { size, text } from '../schema-parts.js';
import type { TemplatePart } from '../template.js';

interface AcceptPlan {
  dir: string;
  maxSize?: number;
  name?: TemplatePart[];
  conflict: 'rename' | 'overwrite' | 'fail';
}

/**
 * `accept: { dir, maxSize?, name?, conflict? }` saves the offered file the way the file sink
 * bot does: the SDK's `offer.accept`, which makes the name safe, writes the file only once
 * complete and rejects offers over `maxSize`. The transfer runs on in the background
 * (tracked, so a stop waits for it). Only the first accept or reject an offer meets counts.
 */
export const acceptAction = defineAction({
  name: 'accept',
  schema: z
    .strictObject({
      dir: text('Directory the file is saved in (created if needed).'),
      maxSize: size.optional(),
      name: text('File name template, e.g. "{from}-{fileName}"; default {fileName}.').optional(),
      conflict: z
        .enum(['rename', 'overwrite', 'fail'], { error: 'expected rename, overwrite or fail' })
        .optional()
        .meta({ description: 'When the file exists: rename (default), overwrite or fail.' }),
    })
    .meta({ description: 'Accept the offered file into a directory.' }),
  triggers: ['offer'],
  compile: (spec, ctx): AcceptPlan => {
    const plan: AcceptPlan = { dir: spec.dir, conflict: spec.conflict ?? 'rename' };
    if (spec.maxSize !== undefined) {
      const bytes = parseSize(spec.maxSize);
      if (bytes === undefined) {
        ctx.problem('RECIPE_BAD_SIZE', `expected a size: ${SIZE_FORMS}`, [...ctx.path, 'maxSize']);
      } else plan.maxSize = bytes;
    }
    if (spec.name !== undefined) plan.name = ctx.template(spec.name, [...ctx.path, 'name']);
    return plan;
  },
  run: (plan, { event, host, render }) => {
    const offer = event.offer!;
    const state = event.offerState!;
    if (state.answered) return;
    state.answered = true;
    ensureDirectory(plan.dir);
    const name = plan.name === undefined ? undefined : render(plan.name);
    if (
      plan.conflict === 'fail' &&
      existsSync(join(plan.dir, safeFileName(name ?? offer.fileName)))
    ) {
      // Declined now, the sender hears of it; refused only once complete, its `done` would
      // resolve for a file never stored. (One that appears meanwhile still fails the transfer.)
      host.track(offer.reject().catch(() => {}));
      host.report(
        `${host.name}: declined ${offer.fileName} from ${offer.from}: ${safeFileName(name ?? offer.fileName)} already exists in ${plan.dir} (conflict: fail)`,
      );
      return;
    }
    const transfer = offer.accept({
      dir: plan.dir,
      conflict: plan.conflict,
      ...(plan.maxSize === undefined ? {} : { maxSize: plan.maxSize }),
      ...(name === undefined ? {} : { name }),
    });
    host.track(
      transfer.done.then(
        (result) =>
          host.report(
            `${host.name}: received ${offer.fileName} from ${offer.from} (${result.bytes} bytes) → ${result.path ?? plan.dir}`,
          ),
        (err: unknown) =>
          host.report(
            `${host.name}: file ${offer.fileName} from ${offer.from} failed: ${(err as Error).message}`,
          ),
      ),
    );
  },
});
