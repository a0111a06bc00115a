import { connect as netConnect, type Socket } from 'node:net';
import { type Client, connect } from '../../src/index.js';
import { encode, frames } from '../../src/protocol/index.js';
import type { FlakyProxy } from './proxy.js';
import type { Tally } from './tally.js';

const ROOMS = Array.from({ length: 10 }, (_, i) => `room-${i}`);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Everyone who is not judged on delivery: churners who connect, join, post, send directs,
 * leave and go; roamers on a flaky network (a proxy cut every so often) who reconnect; a
 * blaster that keeps one room busy; and slow readers in that room who never read nor send
 * a heartbeat, which the server must drop rather than buffer for (a watcher checks that each
 * is gone 45 s after it joined).
 */
export class Crowd {
  readonly #tally: Tally;
  /** The server's port, or the ports of a cluster's nodes. */
  readonly #ports: readonly number[];
  readonly #proxy: FlakyProxy;
  #running = true;
  readonly #loops: Promise<void>[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #roamers: Client[] = [];
  readonly #slow = new Set<Socket>();
  readonly #checks = new Set<NodeJS.Timeout>();
  #blaster: Client | null = null;
  // Asks whether slow readers are still online: not the blaster, which they may be holding.
  #watcher: Client | null = null;

  /**
   * With several nodes, the blaster is on the first and its slow readers and the watcher on
   * the last (so a slow reader holds the blaster from another node), and churners take the
   * nodes in turn.
   */
  constructor(tally: Tally, ports: readonly number[], proxy: FlakyProxy) {
    this.#tally = tally;
    this.#ports = ports;
    this.#proxy = proxy;
  }

  async start(churners: number, roamers: number): Promise<void> {
    for (let i = 0; i < churners; i++) this.#loops.push(this.#churn(i));
    for (let i = 0; i < roamers; i++) {
      const roamer = await connect({
        name: `roamer-${i}`,
        host: '127.0.0.1',
        port: this.#proxy.port,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 1_000 },
      });
      roamer.on('reconnect', () => this.#tally.count('roamer reconnections'));
      roamer.on('close', ({ reason }) => {
        if (this.#running) this.#tally.violation(`${roamer.name} finished early (${reason})`);
      });
      for (const room of ROOMS.slice(0, 3)) await roamer.join(room);
      this.#roamers.push(roamer);
      this.#timers.push(
        setInterval(() => {
          // Queued while away; a post in flight when the network drops may be lost.
          roamer.say(pick(ROOMS.slice(0, 3)), 'roaming').catch(() => undefined);
        }, 500),
      );
    }
    this.#timers.push(
      setInterval(() => this.#tally.count('network cuts', this.#proxy.cut() > 0 ? 1 : 0), 20_000),
    );

    const blaster = await connect({ name: 'blaster', host: '127.0.0.1', port: this.#ports[0]! });
    await blaster.join('busy');
    this.#blaster = blaster;
    const line = 'x'.repeat(400);
    this.#loops.push(
      (async () => {
        while (this.#running) {
          await Promise.all(Array.from({ length: 10 }, () => blaster.say('busy', line)));
          this.#tally.count('blaster posts', 10);
          await sleep(50);
        }
      })(),
    );
    this.#watcher = await connect({
      name: 'watcher',
      host: '127.0.0.1',
      port: this.#ports.at(-1)!,
    });
    this.#timers.push(setInterval(() => this.#slowReader(), 15_000));
    this.#slowReader();
  }

  async #churn(i: number): Promise<void> {
    let round = 0;
    while (this.#running) {
      round += 1;
      const name = `churn-${i}-${round % 1000}`;
      let client: Client | undefined;
      try {
        const port = this.#ports[i % this.#ports.length]!;
        client = await connect({ name, host: '127.0.0.1', port });
        this.#tally.count('churn connections');
        const rooms = new Set([pick(ROOMS), pick(ROOMS), pick(ROOMS)]);
        for (const room of rooms) await client.join(room);
        const posts = 1 + Math.floor(Math.random() * 10);
        for (let p = 0; p < posts && this.#running; p++) {
          await client.say(pick([...rooms]), `churn post ${p} from ${name}`);
          await sleep(Math.random() * 200);
        }
        this.#tally.count('churn posts', posts);
        await client.direct(`churn-${(i + 1) % 20}-${round % 1000}`, 'are you there?');
        this.#tally.count('churn directs');
        await client.isOnline('steady-0');
        await client.leave(pick([...rooms]));
        await sleep(Math.random() * 1_000);
      } catch (err) {
        this.#tally.violation(`${name}: ${(err as Error).message}`);
      } finally {
        await client?.close().catch(() => undefined);
      }
    }
  }

  #slowReader(): void {
    if (!this.#running) return;
    const n = this.#tally.counts.get('slow readers') ?? 0;
    this.#tally.count('slow readers');
    const socket = netConnect({ host: '127.0.0.1', port: this.#ports.at(-1)! });
    this.#slow.add(socket);
    socket.on('connect', () => {
      socket.write(encode(frames.newClient(`slow-${n}`)));
      socket.write(encode(frames.enterRoom('busy')));
      // Never read: the server's queue for us grows until it drops us.
      socket.pause();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.#slow.delete(socket));
    // A paused socket never sees the server's FIN, so its close event cannot tell us that the
    // server dropped it: ask the server instead. Silent for 45 s, it is past the heartbeat
    // timeout (30 s, swept every few seconds) and must be gone.
    const check = setTimeout(() => {
      this.#checks.delete(check);
      this.#watcher?.isOnline(`slow-${n}`).then(
        (online) => {
          if (!this.#running) return;
          if (online)
            this.#tally.violation(`slow-${n}: still online 45 s after it stopped reading`);
          else this.#tally.count('slow readers dropped by the server');
          socket.destroy();
        },
        (err: Error) => {
          if (this.#running) this.#tally.violation(`watcher: ${err.message}`);
        },
      );
    }, 45_000);
    this.#checks.add(check);
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    for (const t of this.#checks) clearTimeout(t);
    await Promise.all(this.#loops);
    for (const s of this.#slow) s.destroy();
    await Promise.all(
      [...this.#roamers, this.#blaster, this.#watcher].map((c) =>
        c?.close().catch(() => undefined),
      ),
    );
  }
}
