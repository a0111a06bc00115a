import { z } from 'zod';
import type { RecipePath } from './positions.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

function step(schema: z.ZodType, seg: string | number): z.ZodType | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return (s.shape as Record<string, z.ZodType>)[String(seg)];
  if (s instanceof z.ZodArray) return s.element as z.ZodType;
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  if (s instanceof z.ZodUnion) {
    for (const option of s.options as z.ZodType[]) {
      const next = step(option, seg);
      if (next) return next;
    }
  }
  return undefined;
}

/**
 * The keys an object schema allows at `path` (following objects, lists, records and unions),
 * for suggesting the closest valid key after a typo. Empty when the path leads nowhere.
 */
export function knownKeys(schema: z.ZodType, path: RecipePath): string[] {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    s = s && step(s, seg);
    if (!s) return [];
  }
  const end = unwrap(s);
  if (end instanceof z.ZodObject) return Object.keys(end.shape);
  if (end instanceof z.ZodUnion) {
    return (end.options as z.ZodType[]).flatMap((o) => {
      const u = unwrap(o);
      return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
    });
  }
  return [];
}
