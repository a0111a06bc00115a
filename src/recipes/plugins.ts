import { resolve } from 'node:path';
import { displayPath, importModule, isModuleFile, ModuleLoadError } from '../modules/index.js';
import {
  type ActionDescriptor,
  isActionDefinition,
  isTriggerDefinition,
  type TriggerDescriptor,
} from './define.js';
import type { RecipePath } from './positions.js';
import type { RecipeKinds } from './schema.js';

// A recipe's `plugins:` are modules whose `defineAction`/`defineTrigger` exports join the
// built-in kinds for that recipe only. Everything here runs before the schema step, so a
// plugin's keys are then validated (and suggested) exactly like the built-in ones.

/** One loaded plugin module: its path and what it added. */
export interface LoadedPlugin {
  /** The path as the recipe wrote it (`./dice.ts`). */
  readonly entry: string;
  /** The module's absolute path. */
  readonly file: string;
  readonly actions: readonly ActionDescriptor[];
  readonly triggers: readonly TriggerDescriptor[];
}

/** A plugin that could not be used, at its entry in the recipe. */
export interface PluginProblem {
  code:
    | 'RECIPE_PLUGIN_NOT_MODULE'
    | 'RECIPE_PLUGIN_LOAD'
    | 'RECIPE_PLUGIN_EMPTY'
    | 'RECIPE_PLUGIN_CLASH';
  message: string;
  path: RecipePath;
}

/** The outcome of loading a recipe's plugins: the kinds they make, or what went wrong. */
export interface PluginsResult {
  kinds: RecipeKinds;
  plugins: LoadedPlugin[];
  problems: PluginProblem[];
}

// A rule's own keys: a trigger with one of these names could never be written.
const RULE_KEYS = ['if', 'do'];

/** The exported definitions of a module: named exports, `default`, and lists of either. */
function definitions(exports: Record<string, unknown>): {
  actions: ActionDescriptor[];
  triggers: TriggerDescriptor[];
  lookalikes: string[];
} {
  const actions = new Set<ActionDescriptor>();
  const triggers = new Set<TriggerDescriptor>();
  const lookalikes: string[] = [];
  for (const [name, value] of Object.entries(exports)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isActionDefinition(item)) actions.add(item);
      else if (isTriggerDefinition(item)) triggers.add(item);
      else if (looksLikeDefinition(item)) lookalikes.push(name);
    }
  }
  return { actions: [...actions], triggers: [...triggers], lookalikes };
}

function looksLikeDefinition(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && ('run' in v || 'subscribe' in v);
}

/**
 * Loads each plugin of a recipe (paths relative to `baseDir`, the recipe's folder) through
 * the loader `relaykit run` uses for bot modules, so TypeScript needs no build step. Checks
 * that each exports at least one action or trigger and that no name clashes with a built-in
 * kind, a rule key or another plugin's. Never throws for a bad plugin: each problem is
 * reported at its entry in `plugins`.
 *
 * @example
 * const { kinds, problems } = await loadPlugins(['./dice.ts'], dirname(recipeFile), BUILTIN_KINDS)
 */
export async function loadPlugins(
  entries: readonly string[],
  baseDir: string,
  base: RecipeKinds,
): Promise<PluginsResult> {
  const problems: PluginProblem[] = [];
  const at = (i: number): RecipePath => ['plugins', i];
  const seen = new Set<string>();
  const wanted = entries.flatMap((entry, i) => {
    const file = resolve(baseDir, entry);
    if (seen.has(file)) return []; // listed twice: once is enough
    seen.add(file);
    if (!isModuleFile(file)) {
      problems.push({
        code: 'RECIPE_PLUGIN_NOT_MODULE',
        message: `\`${entry}\`: a plugin is a .ts, .js or .mjs module exporting defineAction/defineTrigger`,
        path: at(i),
      });
      return [];
    }
    return [{ entry, file, index: i }];
  });
  // Imported one after another: a plugin's top level may have side effects, run in order.
  const plugins: (LoadedPlugin & { index: number })[] = [];
  for (const { entry, file, index } of wanted) {
    const shown = displayPath(file);
    let exports: Record<string, unknown>;
    try {
      exports = await importModule(shown);
    } catch (err) {
      if (!(err instanceof ModuleLoadError)) throw err;
      problems.push({ code: 'RECIPE_PLUGIN_LOAD', message: err.message, path: at(index) });
      continue;
    }
    const found = definitions(exports);
    if (found.actions.length === 0 && found.triggers.length === 0) {
      const hint =
        found.lookalikes.length > 0
          ? `${found.lookalikes.map((n) => `\`${n}\``).join(', ')} ${found.lookalikes.length === 1 ? 'looks like a definition but was' : 'look like definitions but were'} not made by defineAction or defineTrigger`
          : 'it exports no action or trigger';
      problems.push({
        code: 'RECIPE_PLUGIN_EMPTY',
        message: `${shown}: not a plugin: ${hint}. Write \`export const roll = defineAction({ name, schema, run })\` with defineAction from 'relaykit'.`,
        path: at(index),
      });
      continue;
    }
    plugins.push({ entry, file, index, ...found });
  }
  clashes(plugins, base, problems);
  return {
    kinds: {
      actions: [...base.actions, ...plugins.flatMap((p) => p.actions)],
      triggers: [...base.triggers, ...plugins.flatMap((p) => p.triggers)],
    },
    plugins: plugins.map(({ index: _index, ...plugin }) => plugin),
    problems: problems.sort((a, b) => Number(a.path[1]) - Number(b.path[1])),
  };
}

/** Reports names a plugin shares with a built-in kind, a rule key or an earlier plugin. */
function clashes(
  plugins: readonly (LoadedPlugin & { index: number })[],
  base: RecipeKinds,
  problems: PluginProblem[],
): void {
  for (const what of ['action', 'trigger'] as const) {
    const builtIn = new Set<string>(
      (what === 'action' ? base.actions : base.triggers).map((k) => k.name),
    );
    const owner = new Map<string, string>();
    for (const plugin of plugins) {
      const shown = displayPath(plugin.file);
      const list = what === 'action' ? plugin.actions : plugin.triggers;
      for (const { name } of list) {
        let clash: string | undefined;
        if (builtIn.has(name)) clash = `the built-in ${what} \`${name}\``;
        else if (what === 'trigger' && RULE_KEYS.includes(name)) clash = `the rule key \`${name}\``;
        else if (owner.has(name)) clash = `the ${what} \`${name}\` of ${owner.get(name)}`;
        if (clash === undefined) owner.set(name, shown);
        else {
          problems.push({
            code: 'RECIPE_PLUGIN_CLASH',
            message: `${shown}: its ${what} \`${name}\` clashes with ${clash}; rename it`,
            path: ['plugins', plugin.index],
          });
        }
      }
    }
  }
}
