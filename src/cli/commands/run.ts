import { resolve } from 'node:path';
import {
  type BotPlan,
  type LoadResult,
  loadRecipes,
  RecipeLoadError,
  RecipeRuntimeError,
  type ResolvedServer,
  runRecipes,
  type ServerRef,
} from '../../recipes/index.js';
import { createServer, type RelayServer } from '../../server/index.js';
import type { CliCommand, CommandContext, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { describeFailure } from '../failure.js';
import { reopenOnHangup } from '../hangup.js';
import { clientTlsOptions, INSECURE_WARNING } from '../tls/client-files.js';
import { waitForAbort } from '../wait-for-abort.js';
import {
  formatAddress,
  parseServerAddress,
  resolveServer,
  type ServerTarget,
} from '../server-target.js';

interface RunArgs extends GlobalOptions {
  recipes: string[];
  'dry-run': boolean;
  map: string[] | undefined;
}

type Loaded = Extract<LoadResult, { ok: true }>;

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
    maps.set(index === 1 ? 'bundled' : `bundled:${index}`, parseServerAddress(m[2]!));
  }
  return maps;
}

/**
 * Decides where each server reference goes: `--server` (or `--map bundled=…`) for bots that
 * name no server and for `bundled`; `--map bundled:N=…` for the others; otherwise the
 * in-process servers this command starts (the first on 17734 when free).
 */
class ServerPlan {
  readonly #server: string | undefined;
  readonly #maps: Map<string, ResolvedServer>;
  readonly #ctx: CommandContext;
  #first: ServerTarget | undefined;
  readonly #extra: RelayServer[] = [];

  constructor(server: string | undefined, maps: Map<string, ResolvedServer>, ctx: CommandContext) {
    this.#server = server;
    this.#maps = maps;
    this.#ctx = ctx;
  }

  describe(ref: ServerRef | undefined): string {
    if (ref?.kind === 'remote') return ref.text;
    const key = ref?.text ?? 'bundled';
    const mapped = this.#maps.get(key);
    if (mapped) return `${formatAddress(mapped)} (--map ${key})`;
    if (key === 'bundled' && this.#server !== undefined) return `${this.#server} (--server)`;
    return `${key} (in-process server)`;
  }

  async resolve(ref: ServerRef | undefined): Promise<ResolvedServer> {
    if (ref?.kind === 'remote') {
      if (!ref.tls) return { host: ref.host, port: ref.port };
      if (this.#ctx.tls.insecure) this.#ctx.output.notice(INSECURE_WARNING);
      return {
        host: ref.host,
        port: ref.port,
        tls: true,
        tlsOptions: clientTlsOptions(this.#ctx.tls),
      };
    }
    const key = ref?.text ?? 'bundled';
    const mapped = this.#maps.get(key);
    if (mapped) return mapped;
    if (key === 'bundled') {
      this.#first ??= await resolveServer({
        server: this.#server,
        notice: (t) => this.#ctx.output.notice(t),
        tls: this.#ctx.tls,
      });
      const first = this.#first;
      return first.tlsOptions === undefined
        ? { host: first.host, port: first.port }
        : { host: first.host, port: first.port, tls: true, tlsOptions: first.tlsOptions };
    }
    const server = createServer({ port: 0 });
    this.#extra.push(server);
    const address = await server.listen(0, '127.0.0.1');
    this.#ctx.output.notice(`started the in-process server ${key} on ${formatAddress(address)}`);
    return address;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.#first?.close(),
      ...this.#extra.map((s) => s.close('relaykit run finished')),
    ]);
  }
}

function printPlan(loaded: readonly Loaded[], servers: ServerPlan, ctx: CommandContext): void {
  const { output } = ctx;
  for (const { file, plan } of loaded) {
    output.line(file);
    for (const bot of plan.bots) printBot(bot, servers, (line) => output.line(line));
  }
  const bots = loaded.reduce((n, l) => n + l.plan.bots.length, 0);
  output.line(
    `dry run: ${bots} bot${bots === 1 ? '' : 's'} valid; nothing was started or connected`,
  );
}

function printBot(bot: BotPlan, servers: ServerPlan, line: (text: string) => void): void {
  const rooms = bot.rooms.length > 0 ? `, rooms: ${bot.rooms.join(', ')}` : '';
  line(`  bot ${bot.name} on ${servers.describe(bot.server)}${rooms}`);
  for (const ref of bot.extraServers) line(`    also connects to ${servers.describe(ref)}`);
  for (const rule of bot.rules) {
    line(`    on ${rule.trigger.summary}`);
    if (rule.conditionSummary) line(`      if ${rule.conditionSummary}`);
    for (const action of rule.actions) line(`      → ${action.summary}`);
  }
}

/** The recipe files, each once (a shell glob and a name may list one twice). */
function uniqueFiles(files: readonly unknown[]): string[] {
  const seen = new Set<string>();
  return files.map(String).filter((f) => !seen.has(resolve(f)) && seen.add(resolve(f)));
}

/** Two files defining the same bot on the same server would answer every event twice. */
function findDuplicateBot(loaded: readonly Loaded[]): string | undefined {
  const seen = new Map<string, string>();
  for (const { file, plan } of loaded) {
    for (const bot of plan.bots) {
      const key = `${bot.name}@${bot.server?.text ?? 'bundled'}`;
      const first = seen.get(key);
      if (first !== undefined && first !== file) {
        return `${file}: bot ${bot.name} is also defined in ${first} on the same server; rename one of them.`;
      }
      seen.set(key, file);
    }
  }
  return undefined;
}

/**
 * `relaykit run <recipe.yaml...>`: validates every recipe (nothing connects unless all are
 * valid), then runs their bots until Ctrl-C/SIGTERM, when they depart with their farewells,
 * archives are closed and the exit code is 0. `--dry-run` prints the plan without connecting.
 */
export const runCommand: CliCommand<RunArgs> = {
  command: 'run <recipes..>',
  describe: 'Run the bots of YAML recipes until Ctrl-C (--dry-run: show the plan)',
  builder: (y) =>
    y
      .positional('recipes', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Recipe files (YAML)',
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
      .example('$0 run recipes/echo.yaml', 'an echo bot on the bundled server')
      .example(
        '$0 run recipes/relay.yaml --server 10.0.0.5:17734 --map bundled:2=10.0.0.6:17734',
        'bridge two real servers',
      )
      .example('tail -f app.log | $0 run recipes/stdin-to-room.yaml', 'post each line of input')
      .example('$0 run bots.yaml --dry-run', 'check and show the plan'),
  run: async (argv, ctx) => {
    const { output } = ctx;
    const maps = parseMaps((argv.map ?? []).map(String));
    let loaded: Loaded[];
    try {
      loaded = await loadRecipes(uniqueFiles(argv.recipes), { env: process.env });
    } catch (err) {
      if (!(err instanceof RecipeLoadError)) throw err;
      for (const e of err.errors) output.stderr.write(`${e.message}\n`);
      return ExitCode.USAGE;
    }
    const duplicate = findDuplicateBot(loaded);
    if (duplicate) {
      output.error(duplicate);
      return ExitCode.USAGE;
    }
    const servers = new ServerPlan(argv.server, maps, ctx);
    if (argv.dryRun) {
      printPlan(loaded, servers, ctx);
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
        },
      ).catch((err: unknown) => {
        if (ctx.signal.aborted) return undefined;
        throw err;
      });
      if (!run) return ExitCode.OK;
      const off = reopenOnHangup(() => run.reopen());
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
