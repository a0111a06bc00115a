// `{time:HH:mm}` in templates: a small, fixed set of tokens, in the machine's local time
// unless the format ends in ` utc`. Letters outside the tokens are refused rather than
// printed, so a typo such as `hh` is reported at the recipe's line:col instead of posted.

/** A parsed time format: literal text and tokens, and whether it reads the UTC clock. */
export interface TimeFormat {
  readonly parts: readonly (string | { readonly token: TimeToken })[];
  readonly utc: boolean;
}

const TOKENS = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss', 'SSS', 'Z'] as const;
/** One of the time tokens. */
export type TimeToken = (typeof TOKENS)[number];

/**
 * Parses `HH:mm`, `YYYY-MM-DD HH:mm:ss utc` and the like. Returns a message naming the tokens
 * on a letter that is not one.
 *
 * @example
 * parseTimeFormat('HH:mm utc') // { parts: [{ token: 'HH' }, ':', { token: 'mm' }], utc: true }
 */
export function parseTimeFormat(source: string): TimeFormat | { error: string } {
  let text = source;
  let utc = false;
  const zone = / (utc|local)$/i.exec(text);
  if (zone) {
    utc = zone[1]?.toLowerCase() === 'utc';
    text = text.slice(0, zone.index);
  }
  if (text === '') return { error: 'an empty time format; write e.g. {time:HH:mm}' };
  const parts: (string | { token: TimeToken })[] = [];
  let i = 0;
  while (i < text.length) {
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      parts.push({ token });
      i += token.length;
    } else if (/[A-Za-z]/.test(text[i] as string)) {
      return {
        error: `"${text[i]}" in time format "${source}" is not a token; use ${TOKENS.join(' ')} (add " utc" for UTC)`,
      };
    } else {
      parts.push(text[i] as string);
      i += 1;
    }
  }
  return { parts, utc };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats a date with a parsed format.
 *
 * @example
 * formatTime(new Date('2026-12-04T03:21:00Z'), parseTimeFormat('HH:mm utc') as TimeFormat) // '03:21'
 */
export function formatTime(date: Date, format: TimeFormat): string {
  const u = format.utc;
  const values: Record<TimeToken, () => string> = {
    YYYY: () => String(u ? date.getUTCFullYear() : date.getFullYear()),
    MM: () => pad((u ? date.getUTCMonth() : date.getMonth()) + 1),
    DD: () => pad(u ? date.getUTCDate() : date.getDate()),
    HH: () => pad(u ? date.getUTCHours() : date.getHours()),
    mm: () => pad(u ? date.getUTCMinutes() : date.getMinutes()),
    ss: () => pad(u ? date.getUTCSeconds() : date.getSeconds()),
    SSS: () => pad(u ? date.getUTCMilliseconds() : date.getMilliseconds(), 3),
    Z: () => {
      if (u) return 'Z';
      const offset = -date.getTimezoneOffset();
      const sign = offset < 0 ? '-' : '+';
      return `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    },
  };
  return format.parts.map((p) => (typeof p === 'string' ? p : values[p.token]())).join('');
}
