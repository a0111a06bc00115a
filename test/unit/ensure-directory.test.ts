import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDirectory } from '../../src/index.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('ensureDirectory', () => {
  it('creates missing parents and accepts a directory that exists', () => {
    root = mkdtempSync(join(tmpdir(), 'relaykit-dir-'));
    const deep = join(root, 'a', 'b', 'c');
    ensureDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    ensureDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('refuses a path whose place is taken by a file', () => {
    root = mkdtempSync(join(tmpdir(), 'relaykit-dir-'));
    writeFileSync(join(root, 'f'), 'x');
    expect(() => ensureDirectory(join(root, 'f', 'sub'))).toThrow(/not a directory/);
  });

  it.runIf(existsSync('/proc/self'))(
    'fails at once where the kernel refuses (recursive mkdirSync spins forever on /proc)',
    () => {
      root = mkdtempSync(join(tmpdir(), 'relaykit-dir-'));
      expect(() => ensureDirectory('/proc/relaykit-nope/x')).toThrow(/ENOENT/);
    },
  );
});
