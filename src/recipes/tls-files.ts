import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TlsFiles } from './plan.js';
import type { RecipePath } from './positions.js';

/** A recipe's `tls` as written (strings where given). */
export interface TlsSpec {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/**
 * Resolves a recipe's `tls` paths from its folder and checks that each names a readable
 * file, so a typo is reported at its line and column before anything connects. Returns the
 * absolute paths of those that exist.
 */
export function checkTlsFiles(
  spec: TlsSpec | undefined,
  baseDir: string,
  path: RecipePath,
  issue: (code: string, message: string, path: RecipePath) => void,
): TlsFiles | undefined {
  if (spec === undefined) return undefined;
  const files: TlsFiles = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const given = spec[key];
    if (given === undefined) continue;
    const full = resolve(baseDir, given);
    if (!isReadableFile(full)) {
      issue(
        'RECIPE_TLS_FILE',
        `\`${given}\`: no readable file at ${full} (relative paths start at the recipe's folder)`,
        [...path, key],
      );
      continue;
    }
    files[key] = full;
  }
  if ((spec.cert === undefined) !== (spec.key === undefined)) {
    const missing = spec.cert === undefined ? 'cert' : 'key';
    issue(
      'RECIPE_TLS_FILE',
      `a client certificate needs both \`cert\` and \`key\`; \`${missing}\` is missing`,
      path,
    );
  }
  return files;
}

function isReadableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
