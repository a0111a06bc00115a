import { relaykitPackage } from '../package-root.js';

/**
 * relaykit's own version, from the package.json of the relaykit package this file belongs to.
 * yargs' default looks for a package.json upwards from its own folder, which, once relaykit is
 * installed as a dependency, is the host project's (it printed the host's 1.0.0).
 */
export function ownVersion(from: string = import.meta.url): string {
  return relaykitPackage(from)?.version ?? 'unknown';
}
