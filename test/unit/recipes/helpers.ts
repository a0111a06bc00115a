import { expect } from 'vitest';
import { parseRecipe } from '../../../src/recipes/load.js';

/** Wraps rules in one bot that joins `lobby` and `ops`, so a test states only the rule. */
export function botWith(rules: string, extra = ''): string {
  const indented = rules
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `bots:\n  - name: bot\n    rooms: [lobby, ops]\n${extra}    on:\n${indented}\n`;
}

/** Parses `source` and expects it to be valid; returns the plan. */
export function expectValid(source: string) {
  const result = parseRecipe(source, 'test.yaml');
  if (!result.ok) throw new Error(`expected a valid recipe, got:\n${result.errors.join('\n')}`);
  return result.plan;
}

/** Parses `source`, expects problems, and returns them as printed lines. */
export function expectErrors(source: string): string[] {
  const result = parseRecipe(source, 'test.yaml');
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map(String);
}
