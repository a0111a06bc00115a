import { RelayKitError } from '../errors.js';

/** Where in a recipe file a problem sits: 1-based line and column, and the dotted key path. */
export interface RecipeLocation {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the offending key, e.g. `bots[0].on[1].post.room`; empty for the whole file. */
  key: string;
}

/**
 * One problem in a recipe: a YAML syntax error, a schema violation or a semantic mistake
 * (an unknown template field, a bad regex, an action its trigger cannot serve). `toString()`
 * prints `file:line:col: key: message`, the format every recipe error uses.
 *
 * @example
 * for (const err of result.errors) console.error(String(err))
 * // recipes/echo.yaml:4:5: bots[0].romos: unknown key `romos` (did you mean `rooms`?)
 */
export class RecipeError extends RelayKitError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly key: string;
  /** The closest valid key or value, when the mistake looks like a typo. */
  readonly suggestion: string | undefined;
  /** The message without location or suggestion. */
  readonly detail: string;

  constructor(
    code: string,
    detail: string,
    where: RecipeLocation,
    options: { suggestion?: string; cause?: unknown } = {},
  ) {
    const hint =
      options.suggestion === undefined ? '' : ` (did you mean \`${options.suggestion}\`?)`;
    const key = where.key === '' ? '' : `${where.key}: `;
    super(code, `${where.file}:${where.line}:${where.column}: ${key}${detail}${hint}`, {
      cause: options.cause,
    });
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.key = where.key;
    this.suggestion = options.suggestion;
    this.detail = detail;
  }

  override toString(): string {
    return this.message;
  }
}

/**
 * Thrown by `loadRecipeFile`/`loadRecipes` when at least one file has problems; `errors` holds
 * every problem found, in file order, so a user can fix them all in one pass.
 */
export class RecipeLoadError extends RelayKitError {
  readonly errors: readonly RecipeError[];

  constructor(errors: readonly RecipeError[]) {
    const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    super('RECIPE_INVALID', `Recipe has ${count}:\n${errors.map(String).join('\n')}`);
    this.errors = errors;
  }
}

/** A failure while a recipe runs (connecting, resolving a server, a missing env variable). */
export class RecipeRuntimeError extends RelayKitError {}

/**
 * A malformed action or trigger definition (`defineAction`/`defineTrigger`): a bad name, a
 * missing `run` or `subscribe`, or two kinds with one name.
 */
export class RecipeDefinitionError extends RelayKitError {
  constructor(message: string) {
    super('RECIPE_BAD_DEFINITION', message);
  }
}
