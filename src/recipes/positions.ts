import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { RecipeLocation } from './errors.js';

/** A path into a recipe document: map keys and list indexes. */
export type RecipePath = readonly (string | number)[];

/**
 * Formats a path as users read it: `bots[0].on[2].post.room`, with odd keys quoted
 * (`if["match.n"]`).
 */
export function formatPath(path: RecipePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Where `path` sits in a parsed document. `at: 'key'` points at a map key (for unknown keys),
 * `'value'` at its value. A path that does not exist (a missing required key) points at the
 * deepest node that does, so the user lands on the map that needs the key.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  file: string,
  path: RecipePath,
  at: 'key' | 'value' = 'value',
): RecipeLocation {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const seg of path) {
    let next: unknown;
    keyNode = null;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (pair) {
        keyNode = pair.key as Node;
        // `key:` with no value has an empty (or no) value node; point at the key then.
        const value = pair.value as Node | null;
        const empty = !value || (isScalar(value) && value.range?.[0] === value.range?.[1]);
        next = empty ? pair.key : value;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined) break;
    node = next;
  }
  const target = at === 'key' && keyNode ? keyNode : (node as Node | null);
  const offset = target?.range?.[0] ?? 0;
  const pos = lines.linePos(offset);
  return { file, line: pos.line, column: pos.col, key: formatPath(path) };
}
