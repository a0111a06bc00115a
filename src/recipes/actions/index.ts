import type { ActionHost, RecipeEvent } from '../host.js';
import type { PlannedAction, TriggerKind } from '../plan.js';
import { runArchiveAction } from './archive.js';
import { runFileAction } from './files.js';
import { runMessageAction } from './messages.js';
import { runRelayAction } from './relay.js';

/** Runs one checked action for one event (the compile step guaranteed the fields it needs). */
export async function runAction(
  action: PlannedAction,
  trigger: TriggerKind,
  event: RecipeEvent,
  host: ActionHost,
): Promise<void> {
  switch (action.kind) {
    case 'reply':
    case 'post':
    case 'direct':
    case 'broadcast':
    case 'log':
      return runMessageAction(action, event, host);
    case 'accept':
    case 'reject':
      return runFileAction(action, event, host);
    case 'archive':
      return runArchiveAction(action, event, host, trigger as 'post' | 'join' | 'leave');
    case 'relay':
      return runRelayAction(action, event, host);
  }
}
