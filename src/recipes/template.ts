/** A parsed template: literal text and `{field}` placeholders, in order. */
export type TemplatePart = string | { readonly field: string };

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
    if (!FIELD.test(field)) {
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
    out += typeof part === 'string' ? part : String(lookupField(part.field, vars, env) ?? '');
  }
  return out;
}
