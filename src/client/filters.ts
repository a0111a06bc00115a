import { ClientError } from './errors.js';

/** Which posts an `onPost` handler sees. Arrays mean "any of these". */
export interface PostFilter {
  room?: string | string[];
  from?: string | string[];
  /**
   * `false`: skip your own posts (the server echoes them back), which keeps a bot that answers
   * everything from answering itself; `true`: only your own. Default: both.
   */
  self?: boolean;
  /** Tested against the text; the result is `ctx.match`. */
  match?: RegExp;
}

/** Which direct messages an `onDirect` handler sees. */
export interface DirectFilter {
  from?: string | string[];
  /** Tested against the text; the result is `ctx.match`. */
  match?: RegExp;
}

/** Which offers an `onOffer` handler sees. */
export interface OfferFilter {
  from?: string | string[];
  /** Tested against the file name; the result is `ctx.match`. */
  match?: RegExp;
}

/** The fields a filter looks at. */
export interface Filterable {
  room?: string;
  from: string;
  self?: boolean;
  /** Text of a message, or the file name of an offer. */
  subject: string;
}

/** `false` when the filter refuses, else the match (null without a `match` filter). */
export type FilterResult = RegExpMatchArray | null | false;

function invalidFilter(message: string): ClientError {
  return new ClientError('INVALID_FILTER', message);
}

function asSet(method: string, key: string, value: unknown): Set<string> | null {
  if (value === undefined) return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw invalidFilter(`${method}: '${key}' must be a string or a non-empty array of strings`);
  }
  return new Set(list as string[]);
}

/**
 * Checks a filter once, at registration (an unknown key fails right away and lists the valid
 * ones), and compiles it into a fast test.
 */
export function compileFilter(
  method: string,
  filter: object,
  keys: readonly string[],
): (item: Filterable) => FilterResult {
  if (filter === null || typeof filter !== 'object') {
    throw invalidFilter(`${method}: the filter must be an object with ${keys.join(', ')}`);
  }
  for (const key of Object.keys(filter)) {
    if (!keys.includes(key)) {
      throw invalidFilter(`${method}: unknown filter key '${key}'; use ${keys.join(', ')}`);
    }
  }
  const f = filter as { room?: unknown; from?: unknown; match?: unknown; self?: unknown };
  if (f.self !== undefined && typeof f.self !== 'boolean') {
    throw invalidFilter(`${method}: 'self' must be true or false`);
  }
  const self = f.self as boolean | undefined;
  const rooms = asSet(method, 'room', f.room);
  const from = asSet(method, 'from', f.from);
  let match: RegExp | null = null;
  if (f.match !== undefined) {
    if (!(f.match instanceof RegExp)) throw invalidFilter(`${method}: 'match' must be a RegExp`);
    match = statelessRegExp(f.match);
  }
  return (item) => {
    if (rooms !== null && (item.room === undefined || !rooms.has(item.room))) return false;
    if (from !== null && !from.has(item.from)) return false;
    if (self !== undefined && item.self !== self) return false;
    if (match === null) return null;
    return match.exec(item.subject) ?? false;
  };
}

/**
 * A copy of `regex` without the `g` and `y` flags, which are ignored: their `lastIndex` would
 * make one regex that tests every event answer differently each time.
 *
 * @example
 * statelessRegExp(/^hi/gi).flags // 'i'
 */
export function statelessRegExp(regex: RegExp): RegExp {
  return new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''));
}

/** Splits the `(fn)` and `(filter, fn)` call forms of `onPost`/`onDirect`/`onOffer`. */
export function handlerArgs<F extends object, H extends (...args: never[]) => unknown>(
  method: string,
  a: F | H,
  b: H | undefined,
): { filter: F; fn: H } {
  if (typeof a === 'function') {
    if (b !== undefined) throw invalidFilter(`${method}: pass (handler) or (filter, handler)`);
    return { filter: {} as F, fn: a as H };
  }
  if (typeof b !== 'function') throw invalidFilter(`${method}: the handler must be a function`);
  return { filter: a, fn: b };
}
