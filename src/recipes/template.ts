import { formatTime, parseTimeFormat, type TimeFormat } from './time-format.js';

/**
 * A parsed template: literal text and `{field}` placeholders, in order. `{time:HH:mm}` is the
 * `time` field with a format.
 */
export type TemplatePart = string | { readonly field: string; readonly format?: TimeFormat };

/** The values an event offers to templates and conditions, keyed by field (`from`, `match.n`). */
export type EventVars = Readonly<Record<string, string | number | undefined>>;

/** A template problem, with the character offset it starts at. */
export interface TemplateProblem {
  message: string;
  offset: number;
  /** The placeholder's field name, when the problem is about one. */
  field?: string;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?$/;

/**
 * Splits a template into text and `{field}` placeholders. `{{` and `}}` stand for literal
 * braces. Placeholders name a field such as `from`, `match.name` or `env.HOME`.
 *
 * @example
 * parseTemplate('hi {from}!').parts // ['hi ', { field: 'from' }, '!']
 */
export function parseTemplate(source: string): {
  parts: TemplatePart[];
  problems: TemplateProblem[];
} {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if ((ch === '{' || ch === '}') && source[i + 1] === ch) {
      literal += ch;
      i += 2;
      continue;
    }
    if (ch === '}') {
      problems.push({ message: 'a lone `}`; write `}}` for a literal brace', offset: i });
      literal += ch;
      i++;
      continue;
    }
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    const end = source.indexOf('}', i + 1);
    if (end === -1) {
      problems.push({ message: 'unclosed `{`; write `{{` for a literal brace', offset: i });
      literal += source.slice(i);
      break;
    }
    const field = source.slice(i + 1, end).trim();
    const timed = /^time:(.*)$/s.exec(field);
    if (timed) {
      const format = parseTimeFormat((timed[1] as string).trim());
      if ('error' in format) problems.push({ message: format.error, offset: i, field: 'time' });
      else {
        if (literal !== '') parts.push(literal);
        literal = '';
        parts.push({ field: 'time', format });
      }
    } else if (!FIELD.test(field)) {
      problems.push({ message: `\`{${field}}\` is not a field name`, offset: i, field });
    } else {
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ field });
    }
    i = end + 1;
  }
  if (literal !== '') parts.push(literal);
  return { parts, problems };
}

/**
 * Looks up a field: `env.NAME` from `env`, anything else from the event's vars. Missing
 * values are undefined.
 */
export function lookupField(
  field: string,
  vars: EventVars,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | number | undefined {
  if (field.startsWith('env.')) return env[field.slice(4)];
  return vars[field];
}

/**
 * Fills a parsed template. A field without a value (an optional regex group that did not
 * match) renders as the empty string; `env` fields are checked before a recipe runs.
 *
 * @example
 * renderTemplate(parseTemplate('{from}: {text}').parts, { from: 'ann', text: 'hi' }) // 'ann: hi'
 */
export function renderTemplate(
  parts: readonly TemplatePart[],
  vars: EventVars,
  env?: Readonly<Record<string, string | undefined>>,
): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (part.format !== undefined) out += formatTime(timeOf(vars), part.format);
    else out += String(lookupField(part.field, vars, env) ?? '');
  }
  return out;
}

/** The event's time (an ISO string in `vars.time`), or now when it has none. */
function timeOf(vars: EventVars): Date {
  const t = vars.time;
  return typeof t === 'string' || typeof t === 'number' ? new Date(t) : new Date();
}
