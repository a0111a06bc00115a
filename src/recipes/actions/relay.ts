import { isRelayed, relayTagProblem, relayText } from '../../relay-marker.js';
import type { ActionHost, RecipeEvent } from '../host.js';
import type { ActionPlan } from '../plan.js';
import { renderTemplate } from '../template.js';
import { sayIn } from './messages.js';

type RelayAction = Extract<ActionPlan, { kind: 'relay' }>;

/**
 * Relays a post as the relay bot does: `[tag] sender: text` (tag: the source room unless
 * given) into the target room on the target server. Loop guard, also the relay bot's: never
 * the bot's own posts (under any of its connections' names) and never text that already
 * carries a relay marker, so relays pointing at each other cannot ping-pong.
 */
export async function runRelayAction(
  action: RelayAction,
  event: RecipeEvent,
  host: ActionHost,
): Promise<void> {
  const text = event.text ?? '';
  if (event.from === host.botName || isRelayed(text)) return;
  const tag = action.tag ? renderTemplate(action.tag, event.vars, host.env) : event.room!;
  const problem = relayTagProblem(tag);
  if (problem !== undefined) {
    host.report(`${host.botName}: ${problem}; not relayed`);
    return;
  }
  const target = host.clientFor(action.server);
  await sayIn(target, action.room ?? event.room!, relayText(tag, event.from!, text));
}
