import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { ownVersion } from '../../../src/cli/own-version.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it("is relaykit's own version, from the working tree", () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8'));
  expect(ownVersion()).toBe(pkg.version);
});

it("installed as a dependency, is relaykit's version, not the host project's", () => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-version-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"host-app","version":"1.0.0"}');
  const installed = join(dir, 'node_modules', 'relaykit');
  mkdirSync(join(installed, 'dist', 'src', 'cli'), { recursive: true });
  writeFileSync(join(installed, 'package.json'), '{"name":"relaykit","version":"0.4.2"}');
  const file = pathToFileURL(join(installed, 'dist', 'src', 'cli', 'own-version.js')).href;
  expect(ownVersion(file)).toBe('0.4.2');
});
