import { createInterface, type Interface } from 'node:readline';
import { type Clock, systemClock } from '../clock.js';
import { formatAddress, type ServerAddress } from '../address.js';
import { type Client, type ConnectOptions, connect } from '../client/index.js';
import { sanitizeLine } from '../protocol/index.js';
import { type BotConnections, BotRunner } from './bot.js';
import { RecipeRuntimeError } from './errors.js';
import type { BotPlan, RecipePlan } from './plan.js';
import type { ServerRef } from './server-ref.js';
import type { ClientTlsOptions } from '../transport/index.js';
import { type Bot, ModuleBotRunner } from '../modules/index.js';
import { botTlsOptions } from './tls-options.js';
import { INPUT_TRIGGERS } from './triggers/stdin.js';
import { BotCounters } from '../metrics/bot-counters.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';
import { openRunMetrics } from './run-metrics.js';

/** A server address a reference resolved to, with the TLS options to dial it with. */
export interface ResolvedServer extends ServerAddress {
  /** For a `tls://` server: the CLI's TLS options, which a bot's own `tls` files override. */
  tlsOptions?: ClientTlsOptions;
  /**
   * Nodes of one relay to fail over between, in order: the bot dials them in turn, and each
   * reconnection moves on to the next (`connect({ servers })`). `host` and `port` are the
   * first. Absent or of one entry: `host` and `port` alone.
   */
  servers?: readonly ServerAddress[];
}

/** `host:port`, or `a:1,b:2` for a list: how a resolved server is named in messages and keys. */
function describeServer(at: ResolvedServer): string {
  return at.servers !== undefined && at.servers.length > 1
    ? at.servers.map(formatAddress).join(',')
    : formatAddress(at);
}

/** Options of `runRecipes`. */
export interface RunRecipesOptions {
  /**
   * Where a server reference points; `undefined` is the default server (bots that name none).
   * The CLI maps `bundled`/`bundled:N` to in-process servers or to `--server`.
   */
  resolveServer(ref: ServerRef | undefined): Promise<ResolvedServer>;
  /** `log` actions' lines (default: stdout). */
  log?: (line: string) => void;
  /** Notices and action failures (default: stderr). */
  report?: (message: string) => void;
  /** Lines for `stdin` triggers; read only when a rule has one (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Variables for `{env.X}` (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reconnect bots that lose their server (default true). */
  reconnect?: boolean;
  /** Farewell of bots that set none (default "relaykit run stopping"). */
  farewell?: string;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /** The SDK's connect, replaceable in tests. */
  connect?: (options: ConnectOptions) => Promise<Client>;
  /**
   * Bots written as code (`defineBot`), run beside the recipes' bots with the same servers,
   * reconnection, stop and departure. They connect to the default server.
   */
  bots?: readonly Bot[];
  /**
   * Serves the bots' Prometheus `/metrics` and a `/healthz` over HTTP here (port 0 picks a
   * free one). prom-client is loaded only when this is set.
   */
  metrics?: { host: string; port: number };
  /**
   * The timers of the bots' own behaviour: `every:` rules and a module bot's `clock`
   * (default: the real ones). The testing kit passes a clock its test advances.
   */
  clock?: Clock;
}

/** Why a run ended on its own. */
export type RunEnd = 'input-ended' | 'disconnected';

/** A running set of recipes. */
export interface RecipeRun {
  /** Every bot, with the address it connected to. */
  readonly bots: readonly { name: string; server: string }[];
  /**
   * Settles when the run has nothing left to do: standard input ended and every rule is a
   * `stdin` or `start` rule ('input-ended'), or every connection is gone for good
   * ('disconnected'). Never settles otherwise: stop it with `stop()`.
   */
  readonly ended: Promise<RunEnd>;
  /** Where `/metrics` and `/healthz` are served, or null without `metrics`. */
  readonly metricsAddress: { host: string; port: number } | null;
  /** SIGHUP: reopen archive files. */
  reopen(): void;
  /** Stops every bot, waits (bounded) for pending actions and transfers, departs with farewells. */
  stop(): Promise<void>;
}

const DEFAULT_FAREWELL = 'relaykit run stopping';

/**
 * Connects every bot of the plans (sharing one connection per name and server), joins their
 * rooms and the rooms they relay to, subscribes their triggers and fires `start` rules.
 * Throws `RecipeRuntimeError` (code `BOT_CONNECT_FAILED`, the SDK's error as `cause`) when a
 * bot cannot connect or join; nothing is left running then.
 *
 * @example
 * const [loaded] = await loadRecipes(['recipes/echo.yaml'])
 * const run = await runRecipes([loaded.plan], { resolveServer: async () => ({ host: '127.0.0.1', port: 17734 }) })
 * process.once('SIGINT', () => void run.stop())
 */
export async function runRecipes(
  plans: readonly RecipePlan[],
  options: RunRecipesOptions,
): Promise<RecipeRun> {
  const dial = options.connect ?? connect;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const report = options.report ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const env = options.env ?? process.env;
  const modules = options.bots ?? [];
  // A module bot is a bot with no rules: it connects, joins and departs like a recipe's, and
  // its runner runs its setup instead of subscribing triggers.
  const bots: BotPlan[] = [
    ...plans.flatMap((p) => p.bots),
    ...modules.map((bot) => ({
      name: bot.name,
      rooms: [...bot.rooms],
      rules: [],
      extraServers: [],
      ...(bot.farewell === undefined ? {} : { farewell: bot.farewell }),
    })),
  ];
  const firstModule = bots.length - modules.length;
  const pool = new Map<string, Promise<Client>>();
  const addresses = new Map<string, Promise<ResolvedServer>>();

  const resolve = (ref: ServerRef | undefined) => {
    const key = ref?.text ?? '';
    let found = addresses.get(key);
    if (!found) addresses.set(key, (found = options.resolveServer(ref)));
    return found;
  };
  const open = async (bot: BotPlan, ref: ServerRef | undefined) => {
    const at = await resolve(ref);
    const address = describeServer(at);
    const key = `${bot.name}@${address}`;
    let client = pool.get(key);
    if (!client) {
      client = dial({
        name: bot.name,
        ...(at.servers !== undefined && at.servers.length > 1
          ? { servers: at.servers.map(({ host, port }) => ({ host, port })) }
          : { host: at.host, port: at.port }),
        ...(at.tls === true ? { tls: botTlsOptions(at.tlsOptions, bot.tls) } : {}),
        reconnect: options.reconnect ?? true,
        farewell: bot.farewell ?? options.farewell ?? DEFAULT_FAREWELL,
        ...(options.signal ? { signal: options.signal } : {}),
      }).catch((err: unknown) => {
        throw new RecipeRuntimeError(
          'BOT_CONNECT_FAILED',
          `bot ${bot.name} could not connect to ${address}: ${(err as Error).message}`,
          { cause: err },
        );
      });
      pool.set(key, client);
    }
    return { client: await client, address };
  };
  const closeAll = async () => {
    const clients = await Promise.allSettled([...pool.values()]);
    await Promise.allSettled(
      clients.map((c) => (c.status === 'fulfilled' ? c.value.close() : undefined)),
    );
  };

  const runners: (BotRunner | ModuleBotRunner)[] = [];
  const counters = bots.map(() => new BotCounters());
  let metrics: MetricsEndpoint | null = null;
  let stopping: Promise<void> | undefined;
  let connections: BotConnections[] = [];
  try {
    connections = await Promise.all(
      bots.map(async (bot) => {
        const primary = await open(bot, bot.server);
        const others = new Map<string, { client: Client; address: string }>();
        for (const ref of bot.extraServers) others.set(ref.text, await open(bot, ref));
        return { primary, others };
      }),
    );
    for (const [i, bot] of bots.entries()) {
      const conn = connections[i]!;
      for (const room of bot.rooms) await joinOrExplain(conn.primary.client, room, bot.name);
      for (const { client, room } of actionTargets(bot, conn))
        await joinOrExplain(client, room, bot.name);
      const mine = counters[i]!;
      const primary = conn.primary.client;
      let on = formatAddress(primary.server);
      primary.on('reconnect', ({ server }) => {
        mine.reconnections++;
        // With a server list, say where the bot went: the operator sees a node's clients move.
        const now = formatAddress(server);
        if (now !== on) report(`bot ${bot.name} failed over from ${on} to ${now}`);
        on = now;
      });
      runners.push(
        i < firstModule
          ? new BotRunner(bot, conn, { log, report, env, counters: mine, clock })
          : new ModuleBotRunner(modules[i - firstModule]!, conn.primary.client, {
              log,
              report,
              counters: mine,
              clock,
            }),
      );
    }
    await Promise.all(runners.map((runner) => startRunner(runner)));
    if (options.metrics) {
      metrics = await openRunMetrics(
        bots.map((bot, i) => ({
          name: bot.name,
          counters: counters[i]!,
          client: connections[i]!.primary.client,
        })),
        () => stopping !== undefined,
        options.metrics,
      );
    }
  } catch (err) {
    await Promise.allSettled(runners.map((r) => r.stop()));
    await closeAll();
    throw err;
  }

  let input: Interface | undefined;
  const ended = new Promise<RunEnd>((settle) => {
    void watchConnections([...pool.values()], report).then(() => settle('disconnected'));
    const rules = bots.flatMap((b) => b.rules);
    if (!rules.some((r) => r.trigger.kind === 'stdin')) return;
    input = createInterface({
      input: options.stdin ?? process.stdin,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    void feedLines(input, runners)
      .catch((err: unknown) => report(`standard input failed: ${(err as Error).message}`))
      .then(() => {
        // A module bot or a file server has work of its own: the end of input does not end it.
        const ownWork = modules.length > 0 || bots.some((b) => b.fileServer !== undefined);
        if (!ownWork && rules.every((r) => INPUT_TRIGGERS.includes(r.trigger.kind)))
          settle('input-ended');
      });
  });

  return {
    bots: bots.map((bot, i) => ({ name: bot.name, server: connections[i]!.primary.address })),
    ended,
    metricsAddress: metrics === null ? null : { host: metrics.host, port: metrics.port },
    reopen: () => {
      for (const runner of runners) runner.reopen();
    },
    stop: () => {
      stopping ??= (async () => {
        input?.close();
        await Promise.allSettled(runners.map((r) => r.stop()));
        await closeAll();
        // Last, so that /healthz answers 503 while the bots stop.
        await metrics?.close();
      })();
      return stopping;
    },
  };
}

/** Starts a runner; a module bot's failing setup becomes `BOT_SETUP_FAILED`. */
async function startRunner(runner: BotRunner | ModuleBotRunner): Promise<void> {
  try {
    await runner.start();
  } catch (err) {
    throw new RecipeRuntimeError(
      'BOT_SETUP_FAILED',
      `bot ${runner.name}: setup failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }
}

// Lines whose actions may be still running before reading stops until they have run: a pipe
// faster than the bots' rooms is held back rather than queued without bound.
const LINE_WINDOW = 256;

/**
 * Hands every line of `input` to the bots, cleaned as `relaykit say` cleans its input (escape
 * sequences dropped, controls made visible), so no line is refused; blank lines are skipped.
 * Resolves once the input has ended and the last line's actions have run.
 */
async function feedLines(
  input: Interface,
  runners: readonly (BotRunner | ModuleBotRunner)[],
): Promise<void> {
  let pending: Promise<void>[] = [];
  for await (const line of input) {
    const text = sanitizeLine(line);
    if (text.trim() === '') continue;
    for (const runner of runners) pending.push(runner.line(text));
    if (pending.length >= LINE_WINDOW) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
}

async function joinOrExplain(client: Client, room: string, bot: string): Promise<void> {
  try {
    await client.join(room);
  } catch (err) {
    throw new RecipeRuntimeError(
      'BOT_JOIN_FAILED',
      `bot ${bot} could not join ${room}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * The rooms a bot's actions post to (an action's `target`: a relay's), joined up front so the
 * first post is not lost. A target without a room means the rooms of the rule's trigger.
 */
function actionTargets(bot: BotPlan, conn: BotConnections): { client: Client; room: string }[] {
  const targets: { client: Client; room: string }[] = [];
  for (const rule of bot.rules) {
    for (const planned of rule.actions) {
      const target = planned.action.target?.(planned.plan);
      if (!target) continue;
      const client = target.server
        ? conn.others.get(target.server.text)!.client
        : conn.primary.client;
      const rooms = target.room ? [target.room] : (rule.trigger.rooms ?? bot.rooms);
      for (const room of rooms) targets.push({ client, room });
    }
  }
  return targets;
}

/** Resolves once every client has closed for good, reporting each that did. */
async function watchConnections(
  clients: Promise<Client>[],
  report: (m: string) => void,
): Promise<void> {
  await Promise.all(
    clients.map(async (pending) => {
      const client = await pending;
      await new Promise<void>((done) => {
        client.once('close', ({ reason, error }) => {
          if (reason !== 'closed')
            report(`${client.name}: connection lost for good${error ? `: ${error.message}` : ''}`);
          done();
        });
      });
    }),
  );
}
