import type { TriggerDescriptor } from './define.js';
import type { CompiledPattern } from './pattern.js';

/** Fields every event offers: the bot's name and the time (ISO 8601). */
export const COMMON_FIELDS = ['bot', 'time'] as const;

/** All fields a rule's events offer, `match.*` included when its trigger has a regex. */
export function availableFields(
  trigger: TriggerDescriptor,
  pattern: CompiledPattern | undefined,
): string[] {
  const fields = [...trigger.fields, ...COMMON_FIELDS];
  if (pattern) {
    // Named groups first: they are what a typo most likely meant.
    for (const g of pattern.groups) fields.push(`match.${g}`);
    for (let i = 0; i <= pattern.count; i++) fields.push(`match.${i}`);
  }
  return fields;
}

/**
 * Why `field` is not available, or undefined when it is. `env.*` is always allowed here;
 * whether the variable is set is checked before a run.
 */
export function fieldProblem(
  field: string,
  kind: string,
  available: readonly string[],
): string | undefined {
  if (available.includes(field)) return undefined;
  if (/^env\.[A-Za-z_][A-Za-z0-9_]*$/.test(field)) return undefined;
  if (field.startsWith('match.')) {
    return available.some((f) => f.startsWith('match.'))
      ? `the trigger's regex has no group \`${field.slice(6)}\``
      : `\`${field}\` needs a \`match\` regex on the \`${kind}\` trigger`;
  }
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} \`${kind}\` event has no field \`${field}\`; it has ${available.map((f) => `\`${f}\``).join(', ')}`;
}
