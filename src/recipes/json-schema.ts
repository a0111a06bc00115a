import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recipeJsonSchema } from './schema.js';

/** Where the checked-in JSON Schema lives, relative to the package root. */
export const RECIPE_SCHEMA_PATH = 'schema/recipe.schema.json';

/**
 * The text of schema/recipe.schema.json: the zod recipe schema exported as draft-07 JSON
 * Schema, two-space indented and newline-terminated (so the committed file can be compared
 * byte for byte).
 */
export function renderRecipeJsonSchema(): string {
  return `${JSON.stringify(recipeJsonSchema(), null, 2)}\n`;
}

// `npm run schema` runs this file to regenerate the checked-in schema.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const target = join(root, RECIPE_SCHEMA_PATH);
  writeFileSync(target, renderRecipeJsonSchema());
  process.stdout.write(`wrote ${RECIPE_SCHEMA_PATH}\n`);
}
