import { existsSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';
import { RelayKitError } from '../errors.js';
import { relaykitPackage } from '../package-root.js';

/**
 * A bot or plugin module that cannot be used: not found, failed to compile or to run its top
 * level, or does not export what it must. The message names the file, the cause and, for a
 * syntax error, the line and column.
 */
export class ModuleLoadError extends RelayKitError {
  /** The module's path as given. */
  readonly file: string;
  /** 1-based line of a syntax error, when known. */
  readonly line: number | undefined;

  constructor(
    code:
      | 'MODULE_NOT_FOUND'
      | 'MODULE_SYNTAX'
      | 'MODULE_FAILED'
      | 'MODULE_NOT_A_BOT'
      | 'MODULE_NOT_A_PLUGIN',
    file: string,
    message: string,
    options: { line?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.file = file;
    this.line = options.line;
  }
}

/** File name endings `relaykit run` treats as code rather than YAML. */
export const MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** True when `file` is a bot module (by its ending) rather than a YAML recipe. */
export function isModuleFile(file: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => file.endsWith(ext));
}

type Importer = (url: string) => Promise<Record<string, unknown>>;
let importer: Importer | undefined;

/**
 * Installs, once per process, what loading a module needs: tsx (TypeScript with no build
 * step, in its own namespace so the rest of the process is untouched), and an alias that makes
 * `relaykit` and `relaykit/…` in the module resolve to this running relaykit, whether the
 * module sits in a project with its own copy or in a scratch folder with none. Both module
 * systems get the alias: tsx runs a `.ts` file outside a `"type": "module"` package as
 * CommonJS, whose `require` does not pass through ESM resolve hooks.
 */
function install(): Importer {
  if (importer) return importer;
  const pkg = relaykitPackage();
  const tsx = registerTsx({ namespace: 'relaykit-modules' });
  if (pkg) {
    const manifest = pathToFileURL(join(pkg.root, 'package.json')).href;
    // Registered after tsx's hooks, so it runs first and short-circuits: the URL it returns
    // is the one the CLI itself imported (no tsx namespace query), so there is one instance.
    const hook = `
      const manifest = ${JSON.stringify(manifest)};
      export async function resolve(specifier, context, next) {
        if (specifier === 'relaykit' || specifier.startsWith('relaykit/')) {
          return { ...(await next(specifier, { ...context, parentURL: manifest })), shortCircuit: true };
        }
        return next(specifier, context);
      }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
    const own = createRequire(join(pkg.root, 'package.json'));
    const cjs = Module as unknown as {
      _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
    };
    const original = cjs._resolveFilename;
    let inside = false;
    cjs._resolveFilename = function (request, parent, ...rest) {
      if (!inside && (request === 'relaykit' || request.startsWith('relaykit/'))) {
        inside = true;
        try {
          return own.resolve(request);
        } finally {
          inside = false;
        }
      }
      return original.call(this, request, parent, ...rest);
    };
  }
  importer = async (url) => (await tsx.import(url, import.meta.url)) as Record<string, unknown>;
  return importer;
}

/**
 * Imports a `.ts`/`.js`/`.mjs` module (TypeScript compiled on the fly) and returns its exports,
 * with a CommonJS-compiled module's `default` unwrapped. Throws `ModuleLoadError` naming the
 * file and the cause.
 *
 * @example
 * const { default: bot } = await importModule('greeter.ts')
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const path = resolve(file);
  let exports: Record<string, unknown>;
  try {
    exports = await install()(pathToFileURL(path).href);
  } catch (err) {
    throw describeLoadFailure(file, path, err);
  }
  // A module tsx compiled to CommonJS arrives as { default: module.exports }, marked
  // `__esModule`, whose own `default` is the author's `export default`.
  const inner = exports.default as { __esModule?: unknown } | undefined;
  if (typeof inner === 'object' && inner !== null && inner.__esModule === true) {
    return inner as Record<string, unknown>;
  }
  return exports;
}

function describeLoadFailure(file: string, path: string, err: unknown): ModuleLoadError {
  const e = err as { code?: unknown; message?: unknown; stack?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // esbuild (through tsx): "Transform failed with 1 error:\n/abs/file.ts:2:18: ERROR: Unexpected ";""
  const esbuild = /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (esbuild && resolve(esbuild[1]!) === path) {
    const line = Number(esbuild[2]);
    // esbuild counts columns from 0; editors and every other relaykit message from 1.
    const column = Number(esbuild[3]) + 1;
    return new ModuleLoadError(
      'MODULE_SYNTAX',
      file,
      `${file}:${line}:${column}: syntax error: ${esbuild[4]}. Fix the module and run again.`,
      { line, cause: err },
    );
  }
  if (e?.name === 'SyntaxError') {
    const at = new RegExp(`${escapeRegex(path)}:(\\d+)`).exec(String(e.stack ?? ''));
    const line = at ? Number(at[1]) : undefined;
    return new ModuleLoadError(
      'MODULE_SYNTAX',
      file,
      `${file}${line === undefined ? '' : `:${line}`}: syntax error: ${message}. Fix the module and run again.`,
      line === undefined ? { cause: err } : { line, cause: err },
    );
  }
  // Only the module itself missing is "no such file": a missing import inside it names the
  // module too (as the importer), and is a load failure with the import's name.
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && !existsSync(path)) {
    return new ModuleLoadError('MODULE_NOT_FOUND', file, `${file}: no such file`, { cause: err });
  }
  const where = firstFrameIn(path, e?.stack);
  return new ModuleLoadError(
    'MODULE_FAILED',
    file,
    `${file}${where}: failed to load: ${message.split('\n')[0]}`,
    { cause: err },
  );
}

/** `:line` of the first stack frame inside the module, so a throw at its top level is found. */
function firstFrameIn(path: string, stack: unknown): string {
  const at = new RegExp(`${escapeRegex(path)}(?:\\?[^:]*)?:(\\d+)`).exec(String(stack ?? ''));
  return at ? `:${at[1]}` : '';
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A path for messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith('..') ? file : rel;
}
