import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type CompileOptions,
  compileRecipe,
  type RecipeIssue,
  type RecipePlan,
} from './compile.js';
import { RecipeError, RecipeLoadError } from './errors.js';
import { formatPath, locate, type RecipePath } from './positions.js';
import { type LoadedPlugin, loadPlugins } from './plugins.js';
import { BUILTIN_KINDS, type Recipe, recipeSchema, recipeSchemasFor } from './schema.js';
import { knownKeys } from './schema-walk.js';
import { suggest } from './suggest.js';

/** Recipe files larger than this are refused before parsing: a recipe is a page of YAML. */
export const MAX_RECIPE_BYTES = 1024 * 1024;

/** The outcome of loading one recipe: its plan, or every problem found in it. */
export type LoadResult =
  | {
      ok: true;
      file: string;
      recipe: Recipe;
      plan: RecipePlan;
      /** The recipe's `plugins`, loaded (empty from `parseRecipe`, which loads none). */
      plugins: LoadedPlugin[];
    }
  | { ok: false; file: string; errors: RecipeError[] };

function hasPath(data: unknown, path: RecipePath): boolean {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !(seg in node)) return false;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node !== undefined;
}

function schemaErrors(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  at: (path: RecipePath, mode?: 'key' | 'value') => ReturnType<typeof locate>,
): RecipeError[] {
  const errors: RecipeError[] = [];
  const withUnknownKeys = new Set(
    issues
      .filter((i) => i.code === 'unrecognized_keys')
      .map((i) => formatPath(i.path as RecipePath)),
  );
  // A key the user misspelt is reported once, as unknown with a suggestion, not also as missing.
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const valid = knownKeys(schema, issue.path as RecipePath);
    for (const key of issue.keys) {
      const s = suggest(key, valid);
      if (s !== undefined) suggested.add(formatPath([...(issue.path as RecipePath), s]));
    }
  }
  for (const issue of issues) {
    const path = issue.path as RecipePath;
    if (issue.code === 'unrecognized_keys') {
      const valid = knownKeys(schema, path);
      for (const key of issue.keys) {
        const suggestion = suggest(key, valid);
        const list = valid.map((k) => `\`${k}\``).join(', ');
        errors.push(
          new RecipeError(
            'RECIPE_UNKNOWN_KEY',
            `unknown key \`${key}\`${suggestion ? '' : `; valid keys: ${list}`}`,
            at([...path, key], 'key'),
            suggestion === undefined ? {} : { suggestion },
          ),
        );
      }
      continue;
    }
    // "needs one trigger" next to an unknown key is the same typo seen twice.
    const params = (issue as { params?: { recipe?: string } }).params;
    if (params?.recipe === 'missing-one' && withUnknownKeys.has(formatPath(path))) continue;
    if (path.length > 0 && !hasPath(data, path)) {
      if (suggested.has(formatPath(path))) continue;
      const key = path[path.length - 1];
      errors.push(
        new RecipeError('RECIPE_MISSING_KEY', `missing required key \`${String(key)}\``, {
          ...at(path.slice(0, -1), 'value'),
          key: formatPath(path),
        }),
      );
      continue;
    }
    let suggestion: string | undefined;
    if (issue.code === 'invalid_value') {
      const actual = (function get(node: unknown, p: RecipePath): unknown {
        return p.reduce<unknown>((n, s) => (n as Record<string | number, unknown>)?.[s], node);
      })(data, path);
      if (typeof actual === 'string') suggestion = suggest(actual, issue.values.map(String));
    }
    const where = at(path, 'value');
    errors.push(
      new RecipeError(
        'RECIPE_SCHEMA',
        issue.message,
        where,
        suggestion === undefined ? {} : { suggestion },
      ),
    );
  }
  return errors;
}

/** A recipe's YAML, parsed: the document (for positions) and its data. */
interface ParsedYaml {
  data: unknown;
  at: (path: RecipePath, mode?: 'key' | 'value') => ReturnType<typeof locate>;
}

/** Parses YAML; a syntax or empty-file problem ends the load there. */
function readYaml(source: string, file: string): ParsedYaml | Extract<LoadResult, { ok: false }> {
  const lines = new LineCounter();
  const doc: Document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      const detail = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return new RecipeError(
        'RECIPE_YAML_SYNTAX',
        `YAML syntax error: ${detail}`,
        { file, line: pos.line, column: pos.col, key: '' },
        { cause: e },
      );
    });
    return { ok: false, file, errors };
  }
  const data: unknown = doc.toJS();
  const at = (path: RecipePath, mode: 'key' | 'value' = 'value') =>
    locate(doc, lines, file, path, mode);
  if (data === null || data === undefined) {
    return {
      ok: false,
      file,
      errors: [new RecipeError('RECIPE_EMPTY', 'the recipe is empty; it needs `bots:`', at([]))],
    };
  }
  return { data, at };
}

/**
 * Parses and validates recipe text: YAML syntax, then the schema, then the semantic checks
 * (regexes, template fields, trigger/action fit). Never throws for a bad recipe; the
 * result lists every problem with file, line, column and key. It does not load the
 * recipe's `plugins` (it is synchronous): pass their kinds as `options.kinds`, or use
 * `loadRecipeFile`, which loads them.
 *
 * @example
 * const result = parseRecipe(yamlText, 'bots.yaml')
 * if (!result.ok) for (const e of result.errors) console.error(String(e))
 */
export function parseRecipe(
  source: string,
  file: string,
  options: CompileOptions = {},
): LoadResult {
  const yaml = readYaml(source, file);
  return 'ok' in yaml ? yaml : check(yaml, file, options, []);
}

/** The schema and compile steps over parsed YAML. */
function check(
  { data, at }: ParsedYaml,
  file: string,
  options: CompileOptions,
  plugins: readonly LoadedPlugin[],
): LoadResult {
  const schema = options.kinds ? recipeSchemasFor(options.kinds).recipe : recipeSchema;
  const parsed = schema.safeParse(data);
  // Both steps run whatever the other found, so one pass reports every problem.
  const { plan, issues } = compileRecipe(data, {
    ...options,
    // Relative `tls` paths start at the recipe's folder, wherever `relaykit run` is started.
    baseDir: options.baseDir ?? dirname(resolvePath(file)),
  });
  const errors = [
    ...(parsed.success ? [] : schemaErrors(schema, flattenUnions(parsed.error.issues), data, at)),
    ...issues.map((i) => issueError(i, at)),
  ];
  if (!parsed.success || errors.length > 0) return { ok: false, file, errors: byPosition(errors) };
  return { ok: true, file, recipe: parsed.data as Recipe, plan, plugins: [...plugins] };
}

/**
 * Loads the recipe's `plugins` (when it lists module paths), then checks the recipe with
 * their actions and triggers beside the built-in ones. A plugin that cannot be used is
 * reported at its entry, and the rest of the recipe is not checked: its keys would only
 * repeat that problem as unknown keys.
 */
async function checkWithPlugins(
  yaml: ParsedYaml,
  file: string,
  options: CompileOptions,
): Promise<LoadResult> {
  const entries = (yaml.data as { plugins?: unknown }).plugins;
  if (!Array.isArray(entries) || entries.length === 0) return check(yaml, file, options, []);
  const strings = entries.filter((e): e is string => typeof e === 'string');
  // A list with other values fails the schema step, which says so at the value.
  if (strings.length !== entries.length) return check(yaml, file, options, []);
  const baseDir = options.baseDir ?? dirname(resolvePath(file));
  const loaded = await loadPlugins(strings, baseDir, options.kinds ?? BUILTIN_KINDS);
  if (loaded.problems.length > 0) {
    const errors = loaded.problems.map(
      (p) => new RecipeError(p.code, p.message, yaml.at(p.path, 'value')),
    );
    return { ok: false, file, errors };
  }
  return check(yaml, file, { ...options, kinds: loaded.kinds }, loaded.plugins);
}

/**
 * A value that fits none of a union's options is reported by zod as "invalid input". When
 * exactly one option is of the value's type (an object among scalars, a string among
 * numbers), its own problems say more: `gt: "ten"` is "expected a number", not "expected a
 * value or a test".
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !('errors' in issue)) return [issue];
    const branches = (issue.errors as z.core.$ZodIssue[][]).filter(
      (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
    );
    if (branches.length !== 1) return [issue];
    return flattenUnions(
      branches[0]!.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue),
    );
  });
}

function byPosition(errors: RecipeError[]): RecipeError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

function issueError(
  issue: RecipeIssue,
  at: (p: RecipePath, m?: 'key' | 'value') => ReturnType<typeof locate>,
) {
  const where = at(issue.path, issue.at ?? 'value');
  return new RecipeError(
    issue.code,
    issue.message,
    where,
    issue.suggestion === undefined ? {} : { suggestion: issue.suggestion },
  );
}

/**
 * Reads and validates one recipe file, loading its `plugins` first. Files over `MAX_RECIPE_BYTES` or unreadable files are
 * reported as errors at line 1, column 1.
 */
export async function loadRecipeFile(
  file: string,
  options: CompileOptions = {},
): Promise<LoadResult> {
  let source: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_RECIPE_BYTES) {
      return {
        ok: false,
        file,
        errors: [
          new RecipeError(
            'RECIPE_TOO_LARGE',
            `the file is ${bytes.length} bytes; recipes are limited to ${MAX_RECIPE_BYTES}`,
            { file, line: 1, column: 1, key: '' },
          ),
        ],
      };
    }
    source = bytes.toString('utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    return {
      ok: false,
      file,
      errors: [
        new RecipeError(
          'RECIPE_UNREADABLE',
          `cannot read the recipe: ${reason}`,
          { file, line: 1, column: 1, key: '' },
          { cause: err },
        ),
      ],
    };
  }
  const yaml = readYaml(source, file);
  return 'ok' in yaml ? yaml : checkWithPlugins(yaml, file, options);
}

/**
 * Loads several recipe files and throws one `RecipeLoadError` listing the problems of all of
 * them, so nothing connects unless every file is valid.
 */
export async function loadRecipes(
  files: readonly string[],
  options: CompileOptions = {},
): Promise<Extract<LoadResult, { ok: true }>[]> {
  const results = await Promise.all(files.map((f) => loadRecipeFile(f, options)));
  const errors = results.flatMap((r) => (r.ok ? [] : r.errors));
  if (errors.length > 0) throw new RecipeLoadError(errors);
  return results as Extract<LoadResult, { ok: true }>[];
}
