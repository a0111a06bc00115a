import { z } from 'zod';
import { SIZE_FORMS, SIZE_PATTERN } from '../size.js';
import { DURATION_PATTERN } from './duration.js';

// Zod pieces the action and trigger definitions share. Nothing here transforms values: the
// same schemas export to JSON Schema for editors, and compile steps interpret the values.

/** A string; `description` is what editors show. */
export const text = (description: string) =>
  z.string({ error: 'expected text' }).meta({ description });

/** A name or a non-empty list of names. */
export const oneOrMany = (description: string) =>
  z
    .union([z.string(), z.array(z.string({ error: 'expected a name' })).min(1)], {
      error: 'expected a name or a list of names',
    })
    .meta({ description });

/** A regular expression, `src` or `/src/flags`. */
export const pattern = z.string({ error: 'expected a regular expression' }).meta({
  description:
    'Regular expression (JavaScript syntax). Named groups become {match.name}. Write /re/flags for flags, e.g. /^hi/i (g and y are ignored).',
});

/** A duration such as `30s`. */
export const duration = z
  .string({ error: 'expected a duration such as "30s" or "5m"' })
  .regex(DURATION_PATTERN, { error: 'expected a duration such as "30s", "5m" or "1h30m"' })
  .meta({ description: 'Interval: a number with ms, s, m or h, e.g. "30s", "5m", "1h30m".' });

const SIZE_ERROR = `expected a size: ${SIZE_FORMS}`;

/** A size in bytes, or with a unit (one rule, see src/size.ts). */
export const size = z
  .union(
    [
      z.number().int({ error: SIZE_ERROR }).nonnegative({ error: SIZE_ERROR }),
      z.string().regex(SIZE_PATTERN, { error: SIZE_ERROR }),
    ],
    { error: SIZE_ERROR },
  )
  .meta({
    description:
      'Bytes, or a size with a unit: kB, MB, GB are ×1000 ("10MB" = 10,000,000); KiB, MiB, GiB and the shorthand K, M, G are ×1024 ("10M" = 10,485,760).',
  });

/** `undefined` → undefined, a name → `[name]`, a list → the list. */
export const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** `a \`post\``, `an \`offer\``: a trigger's name with its article, for messages. */
export const an = (word: string): string =>
  /^[aeiou]/.test(word) ? `an \`${word}\`` : `a \`${word}\``;
