import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder and package.json of the relaykit package a file belongs to. */
export interface RelaykitPackage {
  /** The folder holding relaykit's package.json. */
  root: string;
  version: string;
}

/**
 * Finds the relaykit package this code runs from, by walking up from `from` to the first
 * package.json named `relaykit`. Walking (rather than counting `..`) works both from source
 * (src/…) and built (dist/src/…), in a checkout or installed under node_modules.
 */
export function relaykitPackage(from: string = import.meta.url): RelaykitPackage | undefined {
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'relaykit' && typeof pkg.version === 'string') {
        return { root: dir, version: pkg.version };
      }
    } catch {
      // No package.json here (or not JSON): keep walking up.
    }
    if (dirname(dir) === dir) return undefined;
  }
}
