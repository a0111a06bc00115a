import { statelessRegExp } from '../client/filters.js';

/** A regular expression from a recipe, with the names it captures. */
export interface CompiledPattern {
  regex: RegExp;
  /** Named groups, usable as `{match.<name>}`. */
  groups: string[];
  /** Number of capturing groups, usable as `{match.1}` … */
  count: number;
}

const LITERAL = /^\/(.*)\/([a-z]*)$/s;

/**
 * Compiles a recipe pattern: plain text is a regex source (`^!echo (?<text>.+)`), and
 * `/source/flags` adds flags (`/^hi/i`). The flags g and y are ignored, as the SDK's filters
 * ignore them: one regex serves every event. Throws a SyntaxError saying what is wrong.
 *
 * @example
 * compilePattern('/^!roll (?<n>\\d+)/i').groups // ['n']
 */
export function compilePattern(source: string): CompiledPattern {
  const literal = LITERAL.exec(source);
  const body = literal ? literal[1]! : source;
  const flags = literal ? literal[2]! : '';
  const regex = statelessRegExp(new RegExp(body, flags));
  // An alternative that matches the empty string reveals the number of groups.
  const count = new RegExp(`${body}|`, regex.flags).exec('')!.length - 1;
  const groups = [...body.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
  return { regex, groups, count };
}

/** The `match.*` fields a regex match provides: named groups and numbered groups. */
export function matchVars(m: RegExpExecArray | RegExpMatchArray | null): Record<string, string> {
  const vars: Record<string, string> = {};
  if (!m) return vars;
  m.forEach((value, index) => {
    if (value !== undefined) vars[`match.${index}`] = value;
  });
  for (const [name, value] of Object.entries(m.groups ?? {})) {
    if (value !== undefined) vars[`match.${name}`] = value;
  }
  return vars;
}
