import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The architecture as a test: dependencies flow one way (cli -> recipes -> bots -> client ->
// protocol, and server -> protocol), and no files import each other in a circle, type-only
// imports included, since a circle of types is still a circle a reader has to untangle.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What each area may import besides itself. `foundation` is src/*.ts beside index.ts. */
const ALLOWED: Record<string, readonly string[]> = {
  foundation: ['protocol'],
  protocol: ['foundation'],
  transport: ['foundation', 'protocol'],
  metrics: ['foundation'],
  certs: ['foundation'],
  archive: ['foundation', 'protocol'],
  client: ['foundation', 'protocol', 'transport'],
  server: ['foundation', 'protocol', 'transport', 'metrics'],
  modules: ['foundation', 'protocol', 'client', 'metrics'],
  // The package root re-exports the recipe definition shapes (defineAction, defineTrigger)
  // for plugins; recipes themselves import the client, never the package root.
  package: ['foundation', 'protocol', 'client', 'server', 'archive', 'modules', 'recipes'],
  bots: ['package'],
  recipes: [
    'foundation',
    'protocol',
    'transport',
    'client',
    'archive',
    'metrics',
    'modules',
    'bots',
  ],
  // The testing kit sits beside the CLI: a bundled server plus the run lifecycle of recipes.
  testing: ['foundation', 'protocol', 'client', 'server', 'modules', 'recipes'],
  cli: [
    'foundation',
    'protocol',
    'transport',
    'client',
    'server',
    'archive',
    'certs',
    'metrics',
    'modules',
    'package',
    'bots',
    'recipes',
  ],
};

/** The area a source file belongs to. */
function areaOf(file: string): string {
  const parts = relative(root, file).split('/');
  if (parts[0] === 'bots') return 'bots';
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'package' : 'foundation';
  return parts[1] as string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Each file's relative imports, resolved to source files. */
function importGraph(): Map<string, string[]> {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'bots'))];
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const base = resolve(dirname(file), m[1] as string).replace(/\.js$/, '.ts');
      const target = [base, join(base, 'index.ts')].find((t) => known.has(t));
      if (target !== undefined) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected groups of more than one file (Tarjan), as paths relative to the root. */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(relative(root, w));
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the layering of src/ and bots/', () => {
  const graph = importGraph();

  it('reads the whole tree (so the checks below are not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(100);
    const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
    expect(edges).toBeGreaterThan(300);
  });

  it('has no import that runs back up a layer', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = areaOf(file);
      const allowed = ALLOWED[from];
      expect(allowed, `no layer rule for ${from} (${relative(root, file)})`).toBeDefined();
      for (const target of targets) {
        const to = areaOf(target);
        if (to !== from && !allowed?.includes(to)) {
          wrong.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no files that import each other in a circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    const a = join(root, 'a.ts');
    const b = join(root, 'b.ts');
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
