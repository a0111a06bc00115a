import { afterEach, describe, expect, it } from 'vitest';
import { createOutput } from '../../../src/cli/output.js';
import { ServerPlan } from '../../../src/cli/server-plan.js';
import {
  type Client,
  connect,
  createServer,
  defineBot,
  type RelayServer,
} from '../../../src/index.js';
import { parseRecipe } from '../../../src/recipes/load.js';
import { type RecipeRun, runRecipes } from '../../../src/recipes/runtime.js';

// `relaykit run` with server lists: a recipe's `server: [a, b]` and `--server a,b` for the
// module bots, against two real servers, one of which goes away.

const servers: RelayServer[] = [];
const clients: Client[] = [];
const runs: RecipeRun[] = [];
const plans: ServerPlan[] = [];

afterEach(async () => {
  await Promise.allSettled(runs.splice(0).map((r) => r.stop()));
  await Promise.allSettled(plans.splice(0).map((p) => p.close()));
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
});

async function server(): Promise<{ server: RelayServer; port: number }> {
  const s = createServer({ port: 0 });
  servers.push(s);
  const { port } = await s.listen(0, '127.0.0.1');
  return { server: s, port };
}

function quietPlan(list: string): ServerPlan {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const output = createOutput({ stdout: sink, stderr: sink, env: {} });
  const plan = new ServerPlan(list, new Map(), { output, tls: { explicit: [] } as never }, 0);
  plans.push(plan);
  return plan;
}

describe('relaykit run with server lists', () => {
  it('recipe bots (server: [a, b]) and module bots (--server a,b) move to b when a closes and answer there', async () => {
    const a = await server();
    const b = await server();
    const list = `127.0.0.1:${a.port},127.0.0.1:${b.port}`;
    const loaded = parseRecipe(
      `server: ["127.0.0.1:${a.port}", "127.0.0.1:${b.port}"]
bots:
  - name: echo
    rooms: [ops]
    on:
      - post: { match: "^!ping" }
        do: [{ reply: pong }]
`,
      'test.yaml',
    );
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const greeter = defineBot({
      name: 'greeter',
      rooms: ['ops'],
      setup(client) {
        client.onPost({ match: /^!hi/ }, (ctx) => ctx.reply('hello'));
      },
    });
    const plan = quietPlan(list);
    const reports: string[] = [];
    const run = await runRecipes([loaded.plan], {
      resolveServer: (ref) => plan.resolve(ref),
      bots: [greeter],
      // The SDK's own connect, with a short backoff so the test waits on events, not time.
      connect: (o) => connect({ ...o, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } }),
      report: (m) => reports.push(m),
      log: () => {},
    });
    runs.push(run);
    expect(run.bots).toEqual([
      { name: 'echo', server: list },
      { name: 'greeter', server: list },
    ]);

    const bob = await connect({ name: 'bob', port: b.port });
    clients.push(bob);
    expect(await bob.join('ops')).toEqual(['bob']); // the bots are on a
    const both = bob.waitFor(
      'members',
      (m) => m.room === 'ops' && m.members.includes('echo') && m.members.includes('greeter'),
    );
    await a.server.close('node going down');
    await both;

    const pong = bob.waitFor('post', (p) => p.from === 'echo' && p.text === 'pong');
    await bob.say('ops', '!ping');
    await pong;
    const hello = bob.waitFor('post', (p) => p.from === 'greeter' && p.text === 'hello');
    await bob.say('ops', '!hi');
    await hello;
    expect(reports.sort()).toEqual([
      `bot echo failed over from 127.0.0.1:${a.port} to 127.0.0.1:${b.port}`,
      `bot greeter failed over from 127.0.0.1:${a.port} to 127.0.0.1:${b.port}`,
    ]);
  });
});
