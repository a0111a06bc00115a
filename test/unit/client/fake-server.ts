import { createServer, type Server, type Socket } from 'node:net';
import {
  type ClientFrame,
  encode,
  type Frame,
  FrameDecoder,
  frames,
  Kind,
} from '../../../src/protocol/index.js';

/** One client connection as the fake server sees it. */
export class FakePeer {
  readonly received: ClientFrame[] = [];
  /** `Date.now()` (fake under fake timers) when each received frame arrived. */
  readonly arrivedAt: number[] = [];
  readonly raw: Buffer[] = [];
  readonly #decoder = new FrameDecoder({ side: 'server' });
  readonly #waiters: Array<{
    test: (f: ClientFrame) => boolean;
    resolve: (f: ClientFrame) => void;
  }> = [];
  #cursor = 0;
  closed: Promise<void>;

  constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      for (const frame of this.#decoder.push(chunk)) {
        this.received.push(frame);
        this.arrivedAt.push(Date.now());
        for (const w of [...this.#waiters]) {
          if (w.test(frame)) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(frame);
          }
        }
      }
    });
  }

  /** The next frame (after those already taken) of `kind`, skipping heartbeats. */
  async next<K extends ClientFrame['kind']>(kind: K): Promise<Extract<ClientFrame, { kind: K }>> {
    for (; this.#cursor < this.received.length; this.#cursor++) {
      const f = this.received[this.#cursor]!;
      if (f.kind === kind) {
        this.#cursor++;
        return f as Extract<ClientFrame, { kind: K }>;
      }
    }
    const start = this.received.length;
    const f = await new Promise<ClientFrame>((resolve) =>
      this.#waiters.push({ test: (x) => x.kind === kind, resolve }),
    );
    this.#cursor = Math.max(this.#cursor, this.received.indexOf(f, start) + 1);
    return f as Extract<ClientFrame, { kind: K }>;
  }

  /** Resolves once the frames received so far (heartbeats excluded) satisfy `test`. */
  async until(test: (frames: ClientFrame[]) => boolean): Promise<ClientFrame[]> {
    const view = (): ClientFrame[] => this.received.filter((f) => f.kind !== Kind.HEARTBEAT);
    while (!test(view())) {
      await new Promise<ClientFrame>((resolve) =>
        this.#waiters.push({ test: () => true, resolve }),
      );
    }
    return view();
  }

  send(...out: Frame[]): void {
    for (const f of out) this.socket.write(encode(f));
  }
}

/** A scripted server: answers registration, then lets the test speak raw frames. */
export class FakeServer {
  readonly #server: Server;
  readonly peers: FakePeer[] = [];
  readonly #peerWaiters: Array<{ index: number; resolve: (p: FakePeer) => void }> = [];
  port = 0;

  constructor(opts: { register?: boolean } = {}) {
    const register = opts.register ?? true;
    this.#server = createServer((socket) => {
      const peer = new FakePeer(socket);
      this.peers.push(peer);
      if (register) {
        void (async () => {
          const hello = await peer.next(Kind.NEW_CLIENT);
          const q = await peer.next(Kind.QUERY_USER);
          if (q.name === hello.name) peer.send(frames.queryUser(hello.name, 1));
        })();
      }
      for (const w of [...this.#peerWaiters]) {
        const ready = this.peers[w.index];
        if (ready === undefined) continue;
        this.#peerWaiters.splice(this.#peerWaiters.indexOf(w), 1);
        w.resolve(ready);
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  /** The next (or the first unclaimed) connection. */
  peer(index = 0): Promise<FakePeer> {
    const p = this.peers[index];
    if (p !== undefined) return Promise.resolve(p);
    return new Promise((resolve) => this.#peerWaiters.push({ index, resolve }));
  }

  async close(): Promise<void> {
    for (const p of this.peers) p.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
