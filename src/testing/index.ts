/**
 * The testing kit (`relaykit/testing`): a real bundled server on a free port, bots run with
 * the same lifecycle as `relaykit run`, and users that post and wait for replies.
 *
 * @example
 * const kit = await startTestKit()
 * await kit.run(greeter)
 * const ann = await kit.user('ann', { rooms: ['lobby'] })
 * await ann.say('lobby', '!hi')
 * expect((await ann.nextPost({ from: 'greeter' })).text).toBe('hi ann')
 * await kit.close()
 */
import { Readable } from 'node:stream';
import { type Client, connect } from '../client/index.js';
import { type Clock, systemClock } from '../clock.js';
import type { Bot } from '../modules/index.js';
import { loadRecipes, type RecipeRun, runRecipes } from '../recipes/index.js';
import { createServer } from '../server/index.js';
import { FakeClock, FakeClockError } from './fake-clock.js';
import { type TestUser, testUser } from './user.js';

export { FakeClock, FakeClockError } from './fake-clock.js';

export type { OfferWait, ReceivedFile } from './offers.js';
export { OfferTimeoutError } from './offers.js';
export type { TestUser } from './user.js';

/** Options of `startTestKit`. */
export interface TestKitOptions {
  /**
   * `'fake'`: the bots' own timers (`every:` rules, the `clock` a bot's `setup` gets) move
   * only when the test calls `kit.advance(ms)`. The server and the connections keep real
   * time. Default `'real'`.
   */
  time?: 'real' | 'fake';
}

/** A running kit: its server's address, `run`, `user`, the bots' clock and `close`. */
export interface TestKit {
  readonly host: string;
  readonly port: number;
  /** The clock the kit's bots get: a `FakeClock` with `time: 'fake'`, else the real one. */
  readonly clock: Clock;
  /**
   * With `time: 'fake'`: moves the bots' time forward by `ms`, firing every timer due on the
   * way in order and letting each one's sends go out. Throws `FakeClockError` with real time.
   *
   * @example
   * const kit = await startTestKit({ time: 'fake' })
   * await kit.runRecipe('ticker.yaml')     // every: 1m
   * const tick = ann.nextPost({ from: 'ticker' })
   * await kit.advance(60_000)
   * expect((await tick).text).toBe('tick 1')
   */
  advance(ms: number): Promise<void>;
  /** With `time: 'fake'`: the bots' timers still waiting (0 once every cleanup cleared its own). */
  readonly pendingTimers: number;
  /** Runs a `defineBot` bot against the kit's server, resolving once it is in its rooms. */
  run(bot: Bot): Promise<RecipeRun>;
  /**
   * Loads a YAML recipe as `relaykit run` does (its `plugins` included; a problem throws
   * `RecipeLoadError` listing each at file:line:col) and runs every bot of it on the kit's
   * server, whatever server the recipe names. `reports` collects what `relaykit run` prints
   * on stderr (a failed action), `logs` its `log` lines. `stdin` is what its `stdin` rules
   * read (lines; default: nothing, so `ended` settles with 'input-ended' once they are done).
   */
  runRecipe(
    file: string,
    options?: {
      env?: Readonly<Record<string, string | undefined>>;
      stdin?: string | readonly string[];
    },
  ): Promise<RecipeRun & { readonly reports: string[]; readonly logs: string[] }>;
  /** Connects a user named `name` and joins `rooms`. */
  user(name: string, options?: { rooms?: readonly string[] }): Promise<TestUser>;
  /** Stops every bot, closes every user and the server; nothing is left open. */
  close(): Promise<void>;
}

/** Starts a bundled relay server on a free port on 127.0.0.1. */
export async function startTestKit(options: TestKitOptions = {}): Promise<TestKit> {
  const fake = options.time === 'fake' ? new FakeClock() : undefined;
  const clock = fake ?? systemClock;
  const needFake = (what: string): FakeClock => {
    if (fake) return fake;
    throw new FakeClockError(
      `${what} needs fake time: start the kit with startTestKit({ time: 'fake' })`,
    );
  };
  const server = createServer({ host: '127.0.0.1', port: 0 });
  const { host, port } = await server.listen(0, '127.0.0.1');
  const runs: RecipeRun[] = [];
  const clients: Client[] = [];
  return {
    host,
    port,
    clock,
    advance: async (ms) => needFake(`kit.advance(${ms})`).advance(ms),
    get pendingTimers() {
      return needFake('kit.pendingTimers').pending;
    },
    async run(bot) {
      const run = await runRecipes([], {
        bots: [bot],
        resolveServer: async () => ({ host, port }),
        // A test's stdin is not the bot's input, and the kit's bots print nothing of their own.
        log: () => {},
        clock,
      });
      runs.push(run);
      return run;
    },
    async runRecipe(file, options = {}) {
      const env = options.env ?? process.env;
      const [loaded] = await loadRecipes([file], { env });
      const reports: string[] = [];
      const logs: string[] = [];
      const run = await runRecipes([loaded!.plan], {
        resolveServer: async () => ({ host, port }),
        env,
        log: (line) => logs.push(line),
        report: (message) => reports.push(message),
        // A test's stdin is not the recipe's input: only what the test gives.
        stdin: Readable.from(
          typeof options.stdin === 'string'
            ? [options.stdin]
            : (options.stdin ?? []).map((line) => `${line}\n`),
        ),
        clock,
      });
      runs.push(run);
      return Object.assign(run, { reports, logs });
    },
    async user(name, options = {}) {
      const client = await connect({ name, host, port });
      clients.push(client);
      const user = testUser(client);
      for (const room of options.rooms ?? []) await client.join(room);
      return user;
    },
    async close() {
      await Promise.allSettled(runs.map((r) => r.stop()));
      await Promise.allSettled(clients.map((c) => c.close()));
      await server.close();
      // net.Server's close callback fires before libuv's close phase frees the listening
      // handle; one turn of the loop past that phase, nothing of the kit is left listed.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
