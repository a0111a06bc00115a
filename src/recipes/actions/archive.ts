import type { ActionHost, RecipeEvent } from '../host.js';
import type { ActionPlan } from '../plan.js';

type ArchiveAction = Extract<ActionPlan, { kind: 'archive' }>;

/**
 * Appends the event to the archive with the archiver bot's `ArchiveWriter` (one writer per
 * directory, so files and sequence numbers are shared by every rule that archives there):
 * `<dir>/<host>_<port>/<room>/YYYY-MM-DD.jsonl` and `.log`.
 */
export function runArchiveAction(
  action: ArchiveAction,
  event: RecipeEvent,
  host: ActionHost,
  type: 'post' | 'join' | 'leave',
): void {
  host.archiveWriter(action.dir).write({
    room: event.room!,
    type,
    from: event.from!,
    text: type === 'post' ? (event.text ?? null) : null,
  });
}
