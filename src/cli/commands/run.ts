import { resolve } from 'node:path';
import {
  type BotPlan,
  type FileServerPlan,
  type LoadedPlugin,
  type LoadResult,
  loadRecipes,
  RecipeLoadError,
  RecipeRuntimeError,
  type ResolvedServer,
  runRecipes,
} from '../../recipes/index.js';
import { type Bot, isModuleFile, loadBotModule, ModuleLoadError } from '../../modules/index.js';
import type { CliCommand, CommandContext, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { describeFailure } from '../failure.js';
import { reopenOnHangup } from '../hangup.js';
import { ServerPlan } from '../server-plan.js';
import { whenMissing } from '../options.js';
import { waitForAbort } from '../wait-for-abort.js';
import { parseServerList } from '../server-target.js';
import { parseMetricsAddress } from '../../metrics/address.js';

interface RunArgs extends GlobalOptions {
  recipes: string[];
  'dry-run': boolean;
  map: string[] | undefined;
  metrics: string | undefined;
}

type Loaded = Extract<LoadResult, { ok: true }>;

/** A bot module given on the command line, loaded and checked. */
interface LoadedModule {
  file: string;
  bot: Bot;
}

/**
 * Imports every bot module (all of them, so one run reports every broken file); returns the
 * lines to print when any failed.
 */
async function loadModules(
  files: readonly string[],
): Promise<{ ok: LoadedModule[]; errors: string[] }> {
  const results = await Promise.allSettled(files.map((file) => loadBotModule(file)));
  const ok: LoadedModule[] = [];
  const errors: string[] = [];
  for (const [i, result] of results.entries()) {
    if (result.status === 'fulfilled') ok.push({ file: files[i]!, bot: result.value });
    else if (result.reason instanceof ModuleLoadError) errors.push(result.reason.message);
    else throw result.reason;
  }
  return { ok, errors };
}

/** `--map bundled:2=host:port` entries, keyed by the reference's text (`bundled`, `bundled:2`). */
function parseMaps(values: readonly string[]): Map<string, ResolvedServer> {
  const maps = new Map<string, ResolvedServer>();
  for (const value of values) {
    const m = /^bundled(?::(\d+))?=(.+)$/.exec(value);
    if (!m) {
      throw new CliError(
        'INVALID_MAP',
        ExitCode.USAGE,
        `--map ${JSON.stringify(value)}: write bundled:N=host:port, e.g. --map bundled:2=127.0.0.1:4000`,
      );
    }
    const index = m[1] === undefined ? 1 : Number(m[1]);
    const servers = parseServerList(m[2]!);
    maps.set(index === 1 ? 'bundled' : `bundled:${index}`, { ...servers[0]!, servers });
  }
  return maps;
}

function printPlan(
  loaded: readonly Loaded[],
  modules: readonly LoadedModule[],
  servers: ServerPlan,
  ctx: CommandContext,
): void {
  const { output } = ctx;
  for (const { file, plan, plugins } of loaded) {
    output.line(file);
    for (const plugin of plugins) output.line(`  plugin ${plugin.entry}: ${pluginKinds(plugin)}`);
    for (const bot of plan.bots) printBot(bot, servers, (line) => output.line(line));
  }
  for (const { file, bot } of modules) {
    output.line(file);
    const rooms = bot.rooms.length > 0 ? `, rooms: ${bot.rooms.join(', ')}` : '';
    output.line(`  bot ${bot.name} on ${servers.describe(undefined)}${rooms}`);
    output.line("    runs the module's setup(client)");
  }
  const bots = loaded.reduce((n, l) => n + l.plan.bots.length, modules.length);
  output.line(
    `dry run: ${bots} bot${bots === 1 ? '' : 's'} valid; nothing was started or connected`,
  );
}

/** `triggers mention; actions roll`: what a plugin added, for `--dry-run`. */
function pluginKinds(plugin: LoadedPlugin): string {
  const names = (what: string, list: readonly { name: string }[]) =>
    list.length === 0
      ? []
      : [`${what}${list.length === 1 ? '' : 's'} ${list.map((k) => k.name).join(', ')}`];
  return [...names('trigger', plugin.triggers), ...names('action', plugin.actions)].join('; ');
}

function printBot(bot: BotPlan, servers: ServerPlan, line: (text: string) => void): void {
  const rooms = bot.rooms.length > 0 ? `, rooms: ${bot.rooms.join(', ')}` : '';
  line(`  bot ${bot.name} on ${servers.describe(bot.server)}${rooms}`);
  for (const ref of bot.extraServers) line(`    also connects to ${servers.describe(ref)}`);
  if (bot.fileServer) line(`    ${describeFileServer(bot.fileServer)}`);
  for (const rule of bot.rules) {
    line(`    on ${rule.trigger.summary}`);
    if (rule.conditionSummary) line(`      if ${rule.conditionSummary}`);
    for (const action of rule.actions) line(`      → ${action.summary}`);
  }
}

/** One line for a bot's `file_server`. */
function describeFileServer(files: FileServerPlan): string {
  const parts = [`serves ${files.dir} by direct message`];
  if (files.upload) {
    const limits = [
      files.maxUploadSize === undefined ? '' : `max ${files.maxUploadSize} bytes`,
      files.quotaPerUser === undefined ? '' : `quota ${files.quotaPerUser} bytes`,
    ].filter((x) => x !== '');
    parts.push(`uploads on${limits.length > 0 ? ` (${limits.join(', ')})` : ''}`);
  }
  if (files.from) parts.push(`only for ${files.from.join(', ')}`);
  if (files.announce) parts.push(`announces uploads in ${files.announce}`);
  return parts.join('; ');
}

/** The recipe files, each once (a shell glob and a name may list one twice). */
function uniqueFiles(files: readonly unknown[]): string[] {
  const seen = new Set<string>();
  return files.map(String).filter((f) => !seen.has(resolve(f)) && seen.add(resolve(f)));
}

/** Two files defining the same bot on the same server would answer every event twice. */
function findDuplicateBot(
  loaded: readonly Loaded[],
  modules: readonly LoadedModule[],
): string | undefined {
  const seen = new Map<string, string>();
  const all = [
    ...loaded.flatMap(({ file, plan }) => plan.bots.map((bot) => ({ file, bot }))),
    ...modules.map(({ file, bot }) => ({ file, bot: { name: bot.name, server: undefined } })),
  ];
  for (const { file, bot } of all) {
    const key = `${bot.name}@${bot.server?.text ?? 'bundled'}`;
    const first = seen.get(key);
    if (first !== undefined && first !== file) {
      return `${file}: bot ${bot.name} is also defined in ${first} on the same server; rename one of them.`;
    }
    seen.set(key, file);
  }
  return undefined;
}

/**
 * `relaykit run <recipe.yaml...>`: validates every recipe, loading its plugins first (nothing
 * connects unless all are valid), then runs their bots until Ctrl-C/SIGTERM, when they depart with their farewells,
 * archives are closed and the exit code is 0. `--dry-run` prints the plan without connecting.
 */
export const runCommand: CliCommand<RunArgs> = {
  command: 'run <recipes..>',
  describe:
    'Run the bots of YAML recipes and bot modules (.ts, .js, .mjs) until Ctrl-C (--dry-run: show the plan)',
  builder: (y) =>
    whenMissing(
      y,
      'Name a recipe or bot module to run: relaykit run <recipe.yaml | bot.ts> [more files]',
    )
      .positional('recipes', {
        type: 'string',
        array: true,
        demandOption: true,
        default: undefined,
        describe:
          'Recipe files (YAML) and bot modules (.ts, .js, .mjs: export default defineBot(…))',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Validate and print what would run, without connecting',
      })
      .option('map', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'Point an in-process server reference at a running server: bundled:N=host:port',
      })
      .option('metrics', {
        type: 'string',
        requiresArg: true,
        describe: "Serve the bots' Prometheus GET /metrics and GET /healthz on host:port",
      })
      .example('$0 run recipes/echo.yaml', 'an echo bot on the bundled server')
      .example('$0 run recipes/echo.yaml --metrics 127.0.0.1:9465', 'with Prometheus metrics')
      .example('$0 run greeter.ts recipes/echo.yaml', 'a bot module beside a recipe')
      .example(
        '$0 run recipes/relay.yaml --server 10.0.0.5:17734 --map bundled:2=10.0.0.6:17734',
        'bridge two real servers',
      )
      .example('tail -f app.log | $0 run recipes/stdin-to-room.yaml', 'post each line of input')
      .example('$0 run bots.yaml --dry-run', 'check and show the plan'),
  run: async (argv, ctx) => {
    const { output } = ctx;
    const maps = parseMaps((argv.map ?? []).map(String));
    const metricsAt = argv.metrics === undefined ? undefined : parseMetricsAddress(argv.metrics);
    if (metricsAt !== undefined && 'error' in metricsAt) {
      output.error(`--metrics wants host:port for its HTTP endpoint: ${metricsAt.error}`);
      return ExitCode.USAGE;
    }
    const files = uniqueFiles(argv.recipes);
    // Every file is checked, recipes and modules alike, before anything connects.
    const [recipes, modules] = await Promise.all([
      loadRecipes(
        files.filter((f) => !isModuleFile(f)),
        { env: process.env },
      ).catch((err: unknown) => {
        if (!(err instanceof RecipeLoadError)) throw err;
        return err;
      }),
      loadModules(files.filter(isModuleFile)),
    ]);
    if (recipes instanceof RecipeLoadError || modules.errors.length > 0) {
      if (recipes instanceof RecipeLoadError) {
        for (const e of recipes.errors) output.stderr.write(`${e.message}\n`);
      }
      for (const message of modules.errors) output.stderr.write(`${message}\n`);
      return ExitCode.USAGE;
    }
    const loaded = recipes;
    const duplicate = findDuplicateBot(loaded, modules.ok);
    if (duplicate) {
      output.error(duplicate);
      return ExitCode.USAGE;
    }
    const servers = new ServerPlan(argv.server, maps, ctx);
    if (argv.dryRun) {
      printPlan(loaded, modules.ok, servers, ctx);
      return ExitCode.OK;
    }
    try {
      const run = await runRecipes(
        loaded.map((l) => l.plan),
        {
          resolveServer: (ref) => servers.resolve(ref),
          log: (line) => output.line(line),
          report: (message) => output.notice(message),
          signal: ctx.signal,
          bots: modules.ok.map((m) => m.bot),
          ...(metricsAt === undefined ? {} : { metrics: metricsAt }),
        },
      ).catch((err: unknown) => {
        if (ctx.signal.aborted) return undefined;
        throw err;
      });
      if (!run) return ExitCode.OK;
      const off = reopenOnHangup(() => run.reopen());
      if (run.metricsAddress !== null) {
        const { host, port } = run.metricsAddress;
        output.notice(
          `metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
        );
      }
      output.notice(
        `running ${run.bots.map((b) => `${b.name}@${b.server}`).join(', ')} (Ctrl-C to stop)`,
      );
      const why = await Promise.race([
        waitForAbort(ctx.signal).then(() => 'stopped' as const),
        run.ended,
      ]);
      off();
      await run.stop();
      if (why === 'disconnected') {
        output.error(
          'Every bot lost its server for good. Run the recipe again once the server is back.',
        );
        return ExitCode.CONNECTION;
      }
      return ExitCode.OK;
    } catch (err) {
      if (err instanceof RecipeRuntimeError && err.cause !== undefined) {
        const failure = describeFailure(err.cause);
        const hint =
          failure.exitCode === ExitCode.NAME_IN_USE
            ? 'Rename the bot in the recipe, or stop the other client.'
            : failure.exitCode === ExitCode.CONNECTION
              ? 'Is the server running? Leave out --server to use the bundled one.'
              : '';
        output.error(`${err.message}. ${hint}`.trim());
        return failure.exitCode;
      }
      throw err;
    } finally {
      await servers.close();
    }
  },
};
