import { afterEach, describe, expect, it } from 'vitest';
import {
  type Client,
  connect,
  createServer,
  defineBot,
  type RelayServer,
} from '../../../src/index.js';
import { parseRecipe } from '../../../src/recipes/load.js';
import { type RecipeRun, runRecipes } from '../../../src/recipes/runtime.js';
import { scrape } from '../../support/prometheus.js';

let servers: RelayServer[] = [];
let clients: Client[] = [];
let runs: RecipeRun[] = [];

afterEach(async () => {
  await Promise.allSettled(runs.map((r) => r.stop()));
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.close()));
  servers = [];
  clients = [];
  runs = [];
});

async function server(port = 0): Promise<{ host: string; port: number }> {
  const s = createServer({ port });
  servers.push(s);
  return s.listen(port, '127.0.0.1');
}

const RECIPE = `bots:
  - name: echo
    rooms: [lobby]
    on:
      - post: { room: lobby, match: "^!echo (?<msg>.+)$" }
        do: [{ reply: "echo {match.msg}" }]
      - post: { room: lobby, match: "^!archive" }
        do:
          - archive: { dir: /dev/null/cannot-be-a-folder }
          - log: "tried to archive"
`;

function waitFor(check: () => boolean, what: string | (() => string), ms = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > ms)
        reject(new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('relaykit run --metrics', () => {
  it('counts recipe and module bots per bot, and /healthz follows the run', async () => {
    const at = await server();
    const loaded = parseRecipe(RECIPE, 'test.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const greeted: string[] = [];
    const greeter = defineBot({
      name: 'greeter',
      rooms: ['lobby'],
      setup(client) {
        client.on('post', ({ from, text }) => {
          if (text === 'boom') throw new Error('greeter broke');
          greeted.push(`${from}: ${text}`);
        });
      },
    });
    const reports: string[] = [];
    const run = await runRecipes([loaded.plan], {
      resolveServer: async () => at,
      log: () => {},
      report: (m) => reports.push(m),
      bots: [greeter],
      metrics: { host: '127.0.0.1', port: 0 },
    });
    runs.push(run);
    const mport = run.metricsAddress!.port;
    const health = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', bots: { echo: true, greeter: true } });

    const alice = await connect({ name: 'alice', host: at.host, port: at.port });
    clients.push(alice);
    await alice.join('lobby');
    const echoes: string[] = [];
    alice.on('post', ({ from, text }) => {
      if (from === 'echo') echoes.push(text);
    });
    await alice.say('lobby', '!echo one');
    await alice.say('lobby', '!echo two');
    await alice.say('lobby', '!archive this');
    await alice.say('lobby', 'boom');
    await waitFor(
      () => echoes.length === 2,
      () =>
        `two echoes, got ${JSON.stringify(echoes)} ${JSON.stringify(reports)} ${JSON.stringify(greeted)}`,
    );
    await waitFor(() => reports.some((r) => r.includes('greeter broke')), 'the failed handler');
    await waitFor(
      () => reports.some((r) => r.includes('archive failed')),
      () => `the failed archive: ${reports}`,
    );
    // Offers: the recipe has no offer rule (declined); greeter has no offer listener (declined).
    await alice.sendFile('echo', Buffer.from('hello'), { name: 'a.txt' }).done.catch(() => {});
    await alice.sendFile('greeter', Buffer.from('hello'), { name: 'b.txt' }).done.catch(() => {});

    const m = await scrape(mport);
    expect(m.value('relaykit_bot_events_total', { bot: 'echo', trigger: 'post' })).toBe(3);
    expect(m.value('relaykit_bot_actions_total', { bot: 'echo', action: 'reply' })).toBe(2);
    expect(m.value('relaykit_bot_actions_total', { bot: 'echo', action: 'archive' })).toBe(1);
    expect(m.value('relaykit_bot_actions_total', { bot: 'echo', action: 'log' })).toBe(1);
    expect(m.value('relaykit_bot_action_failures_total', { bot: 'echo', action: 'archive' })).toBe(
      1,
    );
    // Actions that never failed have their failure series too, at 0, so that increase() and
    // rate() see the first failure.
    expect(m.value('relaykit_bot_action_failures_total', { bot: 'echo', action: 'reply' })).toBe(0);
    expect(m.value('relaykit_bot_action_failures_total', { bot: 'echo', action: 'log' })).toBe(0);
    // greeter saw its own echo-less room: alice's four posts and echo's two replies.
    expect(m.value('relaykit_bot_events_total', { bot: 'greeter', trigger: 'post' })).toBe(6);
    expect(m.value('relaykit_bot_actions_total', { bot: 'greeter', action: 'handler' })).toBe(6);
    expect(
      m.value('relaykit_bot_action_failures_total', { bot: 'greeter', action: 'handler' }),
    ).toBe(1);
    expect(m.byLabel('relaykit_bot_reconnections_total', 'bot')).toEqual({ echo: 0, greeter: 0 });
    for (const bot of ['echo', 'greeter']) {
      expect(m.value('relaykit_bot_transfers_total', { bot, outcome: 'accepted' })).toBe(0);
      expect(m.value('relaykit_bot_transfers_total', { bot, outcome: 'rejected' })).toBe(1);
      expect(m.value('relaykit_bot_connected', { bot })).toBe(1);
    }
    expect(m.families.has('nodejs_eventloop_lag_seconds')).toBe(true);

    const stopped = run.stop();
    const draining = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(draining.status).toBe(503);
    await stopped;
  });

  it('counts a reconnection, and /healthz says 503 while a bot is away', async () => {
    const first = await server();
    const loaded = parseRecipe(RECIPE, 'test.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const run = await runRecipes([loaded.plan], {
      resolveServer: async () => first,
      log: () => {},
      report: () => {},
      metrics: { host: '127.0.0.1', port: 0 },
    });
    runs.push(run);
    const mport = run.metricsAddress!.port;
    await servers.shift()!.close();
    const away = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(away.status).toBe(503);
    expect(await away.json()).toEqual({ status: 'disconnected', bots: { echo: false } });
    await server(first.port);
    let m = await scrape(mport);
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      m = await scrape(mport);
      if (m.value('relaykit_bot_connected', { bot: 'echo' }) === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(m.value('relaykit_bot_reconnections_total', { bot: 'echo' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${mport}/healthz`)).status).toBe(200);
  }, 30_000);
});
