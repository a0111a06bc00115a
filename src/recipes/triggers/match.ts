import type { COMMON_FIELDS } from '../fields.js';
import { matchVars } from '../pattern.js';
import type { TriggerPlan } from '../plan.js';

/** What an incoming event offers a trigger's filters. */
export interface Candidate {
  room?: string;
  from?: string;
  /** The text the trigger's regex runs on: the message, the file name or the input line. */
  subject?: string;
  /** Other fields of the event (`text`, `fileName`, `size`, `count`, …). */
  fields: Record<string, string | number | undefined>;
}

/**
 * Applies a trigger's filters (room, sender, regex) to an event. Returns the event's
 * template fields (with `match.*` and the common `bot` and `time`) or undefined when the
 * event does not pass.
 */
export function matchTrigger(
  trigger: TriggerPlan,
  candidate: Candidate,
  bot: string,
): Record<string, string | number | undefined> | undefined {
  if (trigger.rooms && (candidate.room === undefined || !trigger.rooms.includes(candidate.room)))
    return undefined;
  if (trigger.from && (candidate.from === undefined || !trigger.from.includes(candidate.from)))
    return undefined;
  let match: RegExpExecArray | null = null;
  if (trigger.pattern) {
    match = trigger.pattern.regex.exec(candidate.subject ?? '');
    if (!match) return undefined;
  }
  const common: Record<(typeof COMMON_FIELDS)[number], string> = {
    bot,
    time: new Date().toISOString(),
  };
  return { ...candidate.fields, ...common, ...matchVars(match) };
}
