// One rule for sizes everywhere (CLI options and recipes): SI units are decimal, IEC units
// binary, and a bare K/M/G/T is the binary shorthand that `ls -h` and `du -h` print.
const UNIT_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** The shape of a size: a number, then optionally one of the units in `parseSize`. */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|[kmgt](?:i?b)?)?\s*$/i;

/** The accepted forms, for error messages. */
export const SIZE_FORMS =
  'bytes, or a number with a unit: kB, MB, GB (×1000), KiB, MiB, GiB (×1024), or K, M, G (×1024)';

/**
 * Bytes in a size; undefined when it is not one. Units are case-insensitive: `kB`, `MB`, `GB`,
 * `TB` are decimal (1000), `KiB`, `MiB`, `GiB`, `TiB` binary (1024), and a bare `K`, `M`,
 * `G`, `T` is binary shorthand. A number is taken as bytes. Fractions round down.
 *
 * @example
 * parseSize('10MB')  // 10000000
 * parseSize('10MiB') // 10485760
 * parseSize('10M')   // 10485760
 */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  }
  const m = SIZE_PATTERN.exec(value);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * UNIT_BYTES[(m[2] ?? '').toLowerCase()]!);
}
