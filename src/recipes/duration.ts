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

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Accepted shape of a byte size: a number with an optional unit (B, KB, MB, GB, KiB, MiB, GiB). */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i;

/**
 * Bytes in a size such as `1048576`, `"10MB"` or `"4 MiB"`; undefined when it is not a size.
 *
 * @example
 * parseSize('10MB') // 10000000
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = SIZE_PATTERN.exec(value);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]!);
}
