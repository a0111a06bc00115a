import { type Bot, isBot } from './define-bot.js';
import { importModule, ModuleLoadError } from './import.js';

/**
 * Imports a bot module and returns its default export, which must be a `defineBot(…)`.
 * Throws `ModuleLoadError` naming the file and the cause (for a syntax error, the line), so
 * `relaykit run` fails before anything connects.
 *
 * @example
 * const bot = await loadBotModule('greeter.ts')
 */
export async function loadBotModule(file: string): Promise<Bot> {
  const exports = await importModule(file);
  const bot = exports.default;
  if (isBot(bot)) return bot;
  const found =
    bot === undefined ? 'it has no default export' : `its default export is ${describe(bot)}`;
  throw new ModuleLoadError(
    'MODULE_NOT_A_BOT',
    file,
    `${file}: not a bot module: ${found}. Write \`export default defineBot({ name, rooms, setup })\` with defineBot from 'relaykit'.`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function')
    return `a function (${value.name || 'anonymous'}); call defineBot instead`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a plain object, not made by defineBot';
  return `a ${typeof value}`;
}
