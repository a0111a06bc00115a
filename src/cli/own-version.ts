import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * relaykit's own version, read from the package.json of the relaykit package this file belongs
 * to. yargs' default looks for a package.json upwards from its own folder, which, once relaykit
 * is installed as a dependency, is the host project's (it printed the host's 1.0.0).
 */
export function ownVersion(from: string = import.meta.url): string {
  // src/cli when run from source, dist/src/cli when built: walk up rather than count levels.
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'relaykit' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here (or not JSON): keep walking up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
