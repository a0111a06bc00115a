/**
 * Bots as code: `defineBot` for modules that `relaykit run bot.ts` and the testing kit run,
 * and the loader that imports `.ts`/`.js` modules (bots and recipe plugins) with no build step.
 */
export {
  type Bot,
  type BotCleanup,
  type BotDefinition,
  BotDefinitionError,
  type BotSetupContext,
  defineBot,
  isBot,
} from './define-bot.js';
export {
  displayPath,
  importModule,
  isModuleFile,
  MODULE_EXTENSIONS,
  ModuleLoadError,
} from './import.js';
export { loadBotModule } from './load-bot.js';
export { CLEANUP_MS, type ModuleBotOutputs, ModuleBotRunner } from './runner.js';
