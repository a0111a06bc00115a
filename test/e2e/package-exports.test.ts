import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The package as its users get it: names resolved through package.json's "exports" from the
// built dist/ by Node itself (a package may import itself by name), not through vitest's
// resolver or the TypeScript sources.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

/** The names each entry must export: everything the docs import, plus what the issue promises. */
const PROMISED: Record<string, string[]> = {
  relaykit: [
    'connect',
    'createServer',
    'ServerError',
    'defineBot',
    'defineAction',
    'defineTrigger',
    'z',
    'ArchiveWriter',
    'systemClock',
  ],
  'relaykit/server': ['createServer', 'createLogger', 'ServerError'],
  'relaykit/recipes': ['runRecipes', 'loadRecipeFile', 'defineAction', 'RecipeError'],
  'relaykit/protocol': ['FrameDecoder', 'encode', 'frames', 'ProtocolError'],
  'relaykit/bots': ['echoBot', 'fileServer', 'archiveRooms'],
  'relaykit/testing': ['startTestKit', 'FakeClock', 'FakeClockError', 'OfferTimeoutError'],
};

const DOCS = [
  'README.md',
  'bots/README.md',
  'examples/greeter.ts',
  'examples/echo-bot.ts',
  'examples/dice-plugin.ts',
  'examples/reminder.ts',
];

/** Every `import { a, type B } from 'relaykit…'` in the docs, as entry -> value names. */
async function documentedImports(): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  for (const doc of DOCS) {
    const text = await readFile(join(root, doc), 'utf8');
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(relaykit(?:\/[a-z]+)?)'/g)) {
      const names = found.get(m[2] as string) ?? new Set<string>();
      for (const part of (m[1] as string).split(',')) {
        const name = part.trim();
        if (name !== '' && !name.startsWith('type '))
          names.add(name.split(/\s+as\s+/)[0] as string);
      }
      found.set(m[2] as string, names);
    }
  }
  return found;
}

/** The names the built entry really exports, asked of a fresh Node process. */
async function exportedNames(entry: string): Promise<string[]> {
  const script = `const m = await import(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(m)));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
  });
  return JSON.parse(stdout) as string[];
}

describe('the built package exports every documented name', () => {
  it('finds the docs’ imports (so the check below is not vacuous)', async () => {
    const docs = await documentedImports();
    expect([...docs.keys()]).toEqual(
      expect.arrayContaining(['relaykit', 'relaykit/bots', 'relaykit/protocol', 'relaykit/server']),
    );
    expect(docs.get('relaykit')).toContain('connect');
  });

  it.each(Object.keys(PROMISED))('%s', async (entry) => {
    const docs = await documentedImports();
    const wanted = new Set([...(PROMISED[entry] ?? []), ...(docs.get(entry) ?? [])]);
    const exported = new Set(await exportedNames(entry));
    expect([...wanted].filter((name) => !exported.has(name))).toEqual([]);
  });
});
