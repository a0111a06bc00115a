import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaykitDependency } from '../../../src/cli/scaffold/relaykit-dependency.js';

describe('relaykitDependency (what `relaykit new bot` writes under dependencies)', () => {
  it('installed from a registry: the version range', () => {
    const root = join('/', 'home', 'ann', 'proj', 'node_modules', 'relaykit');
    expect(relaykitDependency({ root, version: '0.1.0' })).toEqual({ spec: '^0.1.0' });
  });

  it('run from a clone: the clone itself, since a range sends npm install to the registry', () => {
    const root = join('/', 'src', 'relaykit');
    expect(relaykitDependency({ root, version: '0.1.0' })).toEqual({
      spec: `file:${root}`,
      checkout: root,
    });
  });
});
