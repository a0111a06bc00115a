import { ensureDirectory } from '../../index.js';
import type { ActionHost, RecipeEvent } from '../host.js';
import type { ActionPlan } from '../plan.js';
import { renderTemplate } from '../template.js';

type FileAction = Extract<ActionPlan, { kind: 'accept' | 'reject' }>;

/**
 * `accept` saves the offered file the way the file sink bot does: the SDK's
 * `offer.accept({ dir, maxSize, conflict, name })`, which makes the name safe, writes the file
 * only once complete and rejects offers over `maxSize`. The transfer runs on in the
 * background (tracked, so a stop waits for it); `reject` declines the offer. Only the first
 * accept or reject an offer meets takes effect.
 */
export async function runFileAction(
  action: FileAction,
  event: RecipeEvent,
  host: ActionHost,
): Promise<void> {
  const offer = event.offer!;
  const state = event.offerState!;
  // An offer is answered once: a second accept or reject in the same rule is skipped.
  if (state.answered) return;
  state.answered = true;
  if (action.kind === 'reject') return offer.reject();
  ensureDirectory(action.dir);
  const transfer = offer.accept({
    dir: action.dir,
    conflict: action.conflict,
    ...(action.maxSize === undefined ? {} : { maxSize: action.maxSize }),
    ...(action.name === undefined
      ? {}
      : { name: renderTemplate(action.name, event.vars, host.env) }),
  });
  host.track(
    transfer.done.then(
      (result) =>
        host.report(
          `${host.botName}: received ${offer.fileName} from ${offer.from} (${result.bytes} bytes) → ${result.path ?? action.dir}`,
        ),
      (err: unknown) =>
        host.report(
          `${host.botName}: file ${offer.fileName} from ${offer.from} failed: ${(err as Error).message}`,
        ),
    ),
  );
}
