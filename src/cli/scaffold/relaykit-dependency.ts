import { sep } from 'node:path';
import { relaykitPackage } from '../../package-root.js';

/** What a new project's package.json says about relaykit, and why. */
export interface RelaykitDependency {
  /** The value under `dependencies.relaykit`: `^0.1.0`, or `file:/path/to/checkout`. */
  spec: string;
  /** The checkout a `file:` spec points at (undefined for a version range). */
  checkout?: string;
}

/**
 * The relaykit a new bot project depends on. Installed from a registry (relaykit's folder is
 * inside a `node_modules`), the version range of this relaykit. Run from a clone (`node
 * bin/relaykit`, `npm link`), the clone itself as `file:`: a range would send `npm install` to
 * the registry for a version that may be there under another owner, or not at all (E404).
 *
 * @example
 * relaykitDependency({ root: '/src/relaykit', version: '0.1.0' }) // { spec: 'file:/src/relaykit', checkout: '/src/relaykit' }
 */
export function relaykitDependency(
  pkg: { root: string; version: string } | undefined = relaykitPackage(),
): RelaykitDependency {
  if (pkg === undefined) return { spec: '*' };
  if (pkg.root.split(sep).includes('node_modules')) return { spec: `^${pkg.version}` };
  return { spec: `file:${pkg.root}`, checkout: pkg.root };
}
