import type { Client } from '../../index.js';
import type { RulePlan } from '../plan.js';
import type { EventSink } from './events.js';
import { matchTrigger } from './match.js';

/**
 * Starts the `every` triggers: each fires once per interval with `count` (1, 2, …).
 * Returns the function that stops them.
 */
export function startTimers(
  client: Client,
  rules: readonly RulePlan[],
  sink: EventSink,
): () => void {
  const timers = rules
    .filter((r) => r.trigger.kind === 'every')
    .map((rule) => {
      let count = 0;
      return setInterval(() => {
        count++;
        const vars = matchTrigger(rule.trigger, { fields: { count } }, sink.name)!;
        sink.fire(rule, { client, vars });
      }, rule.trigger.intervalMs!);
    });
  return () => {
    for (const t of timers) clearInterval(t);
  };
}

/** Fires the `start` triggers once. */
export function fireStart(client: Client, rules: readonly RulePlan[], sink: EventSink): void {
  for (const rule of rules) {
    if (rule.trigger.kind !== 'start') continue;
    sink.fire(rule, { client, vars: matchTrigger(rule.trigger, { fields: {} }, sink.name)! });
  }
}

/** Fires the `stdin` triggers for one line of input. */
export function fireStdin(
  client: Client,
  rules: readonly RulePlan[],
  sink: EventSink,
  line: string,
): void {
  for (const rule of rules) {
    if (rule.trigger.kind !== 'stdin') continue;
    const vars = matchTrigger(rule.trigger, { subject: line, fields: { text: line } }, sink.name);
    if (vars !== undefined) sink.fire(rule, { client, text: line, vars });
  }
}
