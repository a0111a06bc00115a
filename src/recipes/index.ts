/**
 * Recipes: YAML files of bots for `relaykit run`. Load (parse, schema, semantic checks) with
 * `loadRecipeFile`/`loadRecipes`, then run the plans with `runRecipes`.
 *
 * @example
 * const loaded = await loadRecipes(['recipes/echo.yaml'])
 * const run = await runRecipes(loaded.map((r) => r.plan), { resolveServer })
 * process.once('SIGINT', () => run.stop())
 */
export { type CompileOptions, compileRecipe, type RecipeIssue } from './compile.js';
export { type Condition, compileCondition } from './conditions.js';
export { parseSize } from '../size.js';
export { parseDuration } from './duration.js';
export { RecipeError, RecipeLoadError, type RecipeLocation, RecipeRuntimeError } from './errors.js';
export { RECIPE_SCHEMA_PATH, renderRecipeJsonSchema } from './json-schema.js';
export {
  type LoadResult,
  loadRecipeFile,
  loadRecipes,
  MAX_RECIPE_BYTES,
  parseRecipe,
} from './load.js';
export type {
  ActionPlan,
  BotPlan,
  PlannedAction,
  RecipePlan,
  RulePlan,
  TriggerPlan,
} from './plan.js';
export {
  ACTION_KEYS,
  type ActionSpec,
  type BotSpec,
  type Recipe,
  type RuleSpec,
  recipeJsonSchema,
  recipeSchema,
  TRIGGER_KEYS,
} from './schema.js';
export {
  type RecipeRun,
  type ResolvedServer,
  type RunEnd,
  type RunRecipesOptions,
  runRecipes,
} from './runtime.js';
export { DEFAULT_SERVER, parseServerRef, type ServerRef } from './server-ref.js';
export { editDistance, suggest } from './suggest.js';
export { type EventVars, parseTemplate, renderTemplate, type TemplatePart } from './template.js';
