const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Accepted shape of a duration: one or more `<number><unit>` parts, e.g. `30s`, `1m30s`. */
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** The shortest interval an `every` trigger accepts; shorter ones would flood a room. */
export const MIN_INTERVAL_MS = 100;

/**
 * Milliseconds in a duration string such as `"30s"`, `"5m"`, `"1h30m"` or `"250ms"`;
 * undefined when the text is not a duration.
 *
 * @example
 * parseDuration('1m30s') // 90000
 */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return Math.round(total);
}
