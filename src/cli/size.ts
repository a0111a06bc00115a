import { parseSize, SIZE_FORMS } from '../size.js';

/**
 * Parses a size option (`--max-size`) with the one rule of `parseSize`: `10MB` is 10,000,000
 * bytes, `10MiB` and `10M` are 10,485,760. Throws an `Error` with the accepted forms (yargs
 * reports it as a usage error).
 *
 * @example
 * parseSizeOption('10M') // 10485760
 */
export function parseSizeOption(text: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined)
    throw new Error(`Invalid size ${JSON.stringify(text)}: use ${SIZE_FORMS}`);
  return bytes;
}
