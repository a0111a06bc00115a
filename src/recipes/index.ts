/**
 * Recipes: YAML files of bots for `relaykit run`. Load (parse, schema, semantic checks) with
 * `loadRecipeFile`/`loadRecipes`, then run the plans with `runRecipes`.
 *
 * @example
 * const loaded = await loadRecipes(['recipes/echo.yaml'])
 * const run = await runRecipes(loaded.map((r) => r.plan), { resolveServer })
 * process.once('SIGINT', () => run.stop())
 */
export { BUILTIN_ACTIONS } from './actions/index.js';
export { type CompileOptions, compileRecipe, type RecipeIssue } from './compile.js';
export { type Condition, compileCondition, OPERATOR_NAMES } from './conditions.js';
export {
  type ActionCompileContext,
  type ActionDefinition,
  type ActionDescriptor,
  type ActionRunContext,
  type ActionTarget,
  type CompileContext,
  type CompiledTrigger,
  defineAction,
  defineTrigger,
  isActionDefinition,
  isTriggerDefinition,
  type TriggerCompileContext,
  type TriggerDefinition,
  type TriggerDescriptor,
  type TriggerEvent,
  type TriggerHost,
} from './define.js';
export { parseSize } from '../size.js';
export { parseDuration } from './duration.js';
export {
  RecipeDefinitionError,
  RecipeError,
  RecipeLoadError,
  type RecipeLocation,
  RecipeRuntimeError,
} from './errors.js';
export type { ActionHost, RecipeEvent } from './host.js';
export { RECIPE_SCHEMA_PATH, renderRecipeJsonSchema } from './json-schema.js';
export {
  type LoadResult,
  loadRecipeFile,
  loadRecipes,
  MAX_RECIPE_BYTES,
  parseRecipe,
} from './load.js';
export {
  type LoadedPlugin,
  loadPlugins,
  type PluginProblem,
  type PluginsResult,
} from './plugins.js';
export type {
  BotPlan,
  FileServerPlan,
  PlannedAction,
  RecipePlan,
  RulePlan,
  TriggerPlan,
} from './plan.js';
export {
  ACTION_KEYS,
  type ActionSpec,
  BUILTIN_KINDS,
  type BotSpec,
  type Recipe,
  type RecipeKinds,
  type RuleSpec,
  recipeJsonSchema,
  recipeSchema,
  recipeSchemasFor,
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
export { BUILTIN_TRIGGERS } from './triggers/index.js';
export { type EventVars, parseTemplate, renderTemplate, type TemplatePart } from './template.js';
