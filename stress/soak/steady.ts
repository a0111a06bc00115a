import { type Client, connect } from '../../src/index.js';
import type { Tally } from './tally.js';

/**
 * The well-behaved clients: they stay connected the whole run, post numbered messages to one
 * room and numbered direct messages to each other. Every one of them must see every post
 * and direct of the others, in order, exactly once.
 */
export class SteadyGroup {
  readonly #clients: Client[] = [];
  /** sent[i]: posts client i has had accepted; dms[i]: directs it sent. */
  readonly #sentPosts: number[] = [];
  readonly #sentDirects: number[] = [];
  /** seen[receiver][sender]: the last numbered post (or direct) seen. */
  readonly #seenPosts: Map<string, number>[] = [];
  readonly #seenDirects: Map<string, number>[] = [];
  readonly #tally: Tally;
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(tally: Tally) {
    this.#tally = tally;
  }

  /** Connects `size` members to `ports` in turn (several nodes of a cluster, or one server). */
  async start(ports: readonly number[], size: number, room: string): Promise<void> {
    for (let i = 0; i < size; i++) {
      const port = ports[i % ports.length]!;
      const client = await connect({ name: `steady-${i}`, host: '127.0.0.1', port });
      this.#clients.push(client);
      this.#sentPosts.push(0);
      this.#sentDirects.push(0);
      const seenPosts = new Map<string, number>();
      const seenDirects = new Map<string, number>();
      this.#seenPosts.push(seenPosts);
      this.#seenDirects.push(seenDirects);
      client.on('post', ({ room: r, from, text, self }) => {
        if (self || r !== room || !from.startsWith('steady-')) return;
        this.#check(seenPosts, from, text, `${client.name} post from ${from}`);
      });
      client.on('direct', ({ from, text }) => {
        if (!from.startsWith('steady-')) return;
        this.#check(seenDirects, from, text, `${client.name} direct from ${from}`);
      });
      client.on('close', ({ reason }) => {
        if (!this.#stopped) this.#tally.violation(`${client.name} lost its connection (${reason})`);
      });
      client.on('error', ({ error }) => this.#tally.violation(`${client.name}: ${error.message}`));
      await client.join(room);
    }
    this.#clients.forEach((client, i) => {
      const next = this.#clients[(i + 1) % size]!;
      this.#timers.push(
        setInterval(() => {
          const n = ++this.#sentPosts[i]!;
          client.say(room, String(n)).catch((err: Error) => {
            this.#tally.violation(`${client.name} post ${n} failed: ${err.message}`);
          });
          this.#tally.count('steady posts');
        }, 100),
        setInterval(() => {
          const n = ++this.#sentDirects[i]!;
          client.direct(next.name, String(n)).then(
            ({ delivered }) => {
              if (!delivered) this.#tally.violation(`${client.name} direct ${n} not delivered`);
            },
            (err: Error) => this.#tally.violation(`${client.name} direct ${n}: ${err.message}`),
          );
          this.#tally.count('steady directs');
        }, 1_000),
      );
    });
  }

  #check(seen: Map<string, number>, from: string, text: string, what: string): void {
    const n = Number(text);
    const last = seen.get(from) ?? 0;
    if (n !== last + 1) this.#tally.violation(`${what}: got ${text} after ${last}`);
    seen.set(from, n);
  }

  /** Stops sending; resolves once everything sent has arrived (or reports what did not). */
  async finish(timeoutMs: number): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    const complete = (): boolean =>
      this.#clients.every((_receiver, r) =>
        this.#clients.every((sender, s) => {
          if (r === s) return true;
          const posts = this.#seenPosts[r]!.get(sender.name) ?? 0;
          const directsOk =
            (r + this.#clients.length - 1) % this.#clients.length !== s ||
            (this.#seenDirects[r]!.get(sender.name) ?? 0) === this.#sentDirects[s]!;
          return posts === this.#sentPosts[s]! && directsOk;
        }),
      );
    const deadline = Date.now() + timeoutMs;
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!complete()) {
      this.#clients.forEach((receiver, r) => {
        this.#clients.forEach((sender, s) => {
          const got = this.#seenPosts[r]!.get(sender.name) ?? 0;
          if (r !== s && got !== this.#sentPosts[s]) {
            this.#tally.violation(
              `${receiver.name} saw ${got} of ${this.#sentPosts[s]} posts from ${sender.name}`,
            );
          }
        });
      });
      this.#tally.violation('steady group: directs or posts missing at the end');
    }
    this.#stopped = true;
    await Promise.all(this.#clients.map((c) => c.close().catch(() => undefined)));
  }
}
