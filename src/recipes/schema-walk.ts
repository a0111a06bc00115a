import type { RecipePath } from './positions.js';

// The walk reads zod 4's definitions (`_zod.def`) rather than testing `instanceof`: a
// plugin's schemas may come from another copy of zod (its own install, or one loaded through
// tsx), and its keys deserve the same suggestions as the built-in ones.

/** The parts of a zod 4 definition the walk follows. */
interface Def {
  type?: string;
  innerType?: Node;
  in?: Node;
  shape?: Record<string, Node>;
  element?: Node;
  valueType?: Node;
  options?: Node[];
}
type Node = { _zod?: { def?: Def } } | undefined;

const defOf = (schema: Node): Def => schema?._zod?.def ?? {};

function unwrap(schema: Node): Node {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'nullable') s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else return s;
  }
}

function step(schema: Node, seg: string | number): Node {
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return def.shape?.[String(seg)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const next = step(option, seg);
      if (next) return next;
    }
  }
  return undefined;
}

function objectKeys(schema: Node): string[] {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/**
 * The keys an object schema allows at `path` (following objects, lists, records and unions),
 * for suggesting the closest valid key after a typo. Empty when the path leads nowhere.
 */
export function knownKeys(schema: unknown, path: RecipePath): string[] {
  let s = schema as Node;
  for (const seg of path) {
    s = s && step(s, seg);
    if (!s) return [];
  }
  const def = defOf(unwrap(s));
  if (def.type === 'union') return (def.options ?? []).flatMap(objectKeys);
  return objectKeys(s);
}
