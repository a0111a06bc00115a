const FACTORS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Parses a size such as `1048576`, `512k`, `10M`, `1.5G` or `10MiB` (binary units) into bytes.
 * Throws an `Error` with the accepted forms (yargs reports it as a usage error).
 *
 * @example
 * parseSize('10M') // 10485760
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  if (!m)
    throw new Error(
      `Invalid size ${JSON.stringify(text)}: use bytes or a unit, e.g. 512k, 10M, 1G`,
    );
  return Math.floor(Number(m[1]) * FACTORS[m[2]!.toLowerCase()]!);
}
