import { readFileSync } from 'node:fs';
import type { ClientTlsOptions } from '../transport/index.js';
import { RecipeRuntimeError } from './errors.js';
import type { TlsFiles } from './plan.js';

/**
 * What a bot dials a `tls://` server with: the CLI's options (from --tls-*), with each file
 * the recipe names read in its place. Throws `RecipeRuntimeError('TLS_FILE')` when a file
 * that was there at validation is gone.
 */
export function botTlsOptions(
  cli: ClientTlsOptions | undefined,
  files: TlsFiles | undefined,
): ClientTlsOptions {
  const options: ClientTlsOptions = { ...cli };
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = files?.[key];
    if (path === undefined) continue;
    try {
      options[key] = readFileSync(path);
    } catch (err) {
      throw new RecipeRuntimeError(
        'TLS_FILE',
        `cannot read the recipe's tls.${key} ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return options;
}
