import type { Socket } from 'node:net';
import {
  type ClientFrame,
  encode,
  FrameDecoder,
  type Frame,
  frames,
  Kind,
  kindName,
  type ProtocolError,
  type ServerFrame,
} from '../../../src/protocol/index.js';
import { RelayServerImpl } from '../../../src/server/server.js';
import type { ServerOptions } from '../../../src/server/index.js';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  clearSpreadPorts,
  openSocket,
  serverTransport,
  spreadPort,
  TEST_CLUSTER,
} from '../../support/transport.js';

// Captured before any test fakes timers, so waits still time out under vi.useFakeTimers().
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

const DEFAULT_WAIT_MS = 5_000;

type Predicate = (frame: ServerFrame) => boolean;

interface Waiter {
  match: Predicate;
  resolve: (frame: ServerFrame) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const live = {
  clients: new Set<TestClient>(),
  sockets: new Set<Socket>(),
  servers: new Set<RelayServerImpl>(),
};

function describeFrame(f: ServerFrame): string {
  const { kind, ...rest } = f as ServerFrame & { data?: unknown };
  if ('data' in rest) rest.data = `<${(rest.data as Uint8Array).length} bytes>`;
  return `${kindName(kind)} ${JSON.stringify(rest)}`;
}

/**
 * A raw test client speaking frames through the codec (no SDK): it records every frame it
 * receives and lets a test wait for the next one matching a kind or predicate.
 */
export class TestClient {
  readonly socket: Socket;
  /** Frames received and not yet taken, heartbeats excluded. */
  readonly inbox: ServerFrame[] = [];
  heartbeats = 0;
  /** Put heartbeats in the inbox too (for heartbeat tests). */
  keepHeartbeats = false;
  bytesReceived = 0;
  /** Every frame this client decoded (heartbeats too) and sent, by kind, and bytes sent. */
  readonly receivedByKind = new Map<number, number>();
  readonly sentByKind = new Map<number, number>();
  bytesSent = 0;
  decodeError: ProtocolError | null = null;
  name = '';
  readonly closed: Promise<void>;
  isClosed = false;
  readonly #decoder = new FrameDecoder({ side: 'client', maxListingBytes: 64 * 1024 * 1024 });
  readonly #waiters: Waiter[] = [];
  #syncs = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        for (const w of this.#waiters.splice(0)) {
          realClearTimeout(w.timer);
          w.reject(new Error(`${this.label}: connection closed; inbox: ${this.#dump()}`));
        }
        resolve();
      });
    });
  }

  /**
   * Connects to `port` over the suite's transport (plain or TLS, see support/transport.ts);
   * the client is destroyed by `cleanup()`.
   */
  static async connect(port: number): Promise<TestClient> {
    const client = new TestClient(await openSocket(port));
    live.clients.add(client);
    return client;
  }

  /** Wraps a socket the test opened itself (e.g. TLS with a client certificate). */
  static over(socket: Socket): TestClient {
    const client = new TestClient(socket);
    live.clients.add(client);
    return client;
  }

  /** Connects and registers as `name` (confirmed by a QUERY_USER round trip). */
  static async registered(port: number, name: string): Promise<TestClient> {
    const client = await TestClient.connect(port);
    await client.register(name);
    return client;
  }

  get label(): string {
    return this.name === '' ? 'client' : this.name;
  }

  send(frame: ClientFrame | Frame): boolean {
    return this.sendBytes(encode(frame));
  }

  sendBytes(bytes: Uint8Array): boolean {
    this.bytesSent += bytes.length;
    if (bytes.length > 0) this.sentByKind.set(bytes[0]!, (this.sentByKind.get(bytes[0]!) ?? 0) + 1);
    return this.socket.write(bytes);
  }

  async register(name: string): Promise<void> {
    this.name = name;
    this.send(frames.newClient(name));
    const answer = await this.query(name);
    if (answer !== 1) throw new Error(`${name} did not register`);
  }

  /** Sends QUERY_USER and returns the status the server answered. */
  async query(name: string, status = 2): Promise<number> {
    this.send(frames.queryUser(name, status));
    const f = await this.next((x) => x.kind === Kind.QUERY_USER && x.name === name);
    return (f as Extract<ServerFrame, { kind: typeof Kind.QUERY_USER }>).status;
  }

  /**
   * A round trip through the server: everything the server sent before answering is in the
   * inbox afterwards. Returns (and takes) those frames.
   */
  async sync(): Promise<ServerFrame[]> {
    const probe = `sync-probe-${++this.#syncs}`;
    this.send(frames.queryUser(probe));
    await this.next((f) => f.kind === Kind.QUERY_USER && f.name === probe);
    return this.inbox.splice(0);
  }

  /** Takes the first frame (of `kind`, or matching `match`), waiting for it if need be. */
  next<K extends ServerFrame['kind']>(
    kind: K,
    timeoutMs?: number,
  ): Promise<Extract<ServerFrame, { kind: K }>>;
  next(match?: Predicate, timeoutMs?: number): Promise<ServerFrame>;
  next(kindOrMatch?: number | Predicate, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerFrame> {
    const match: Predicate =
      kindOrMatch === undefined
        ? () => true
        : typeof kindOrMatch === 'number'
          ? (f) => f.kind === kindOrMatch
          : kindOrMatch;
    const at = this.inbox.findIndex(match);
    if (at >= 0) return Promise.resolve(this.inbox.splice(at, 1)[0]!);
    if (this.isClosed) {
      return Promise.reject(new Error(`${this.label}: closed; inbox: ${this.#dump()}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: realSetTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `${this.label}: no matching frame in ${timeoutMs} ms; inbox: ${this.#dump()}`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Resolves once the socket is closed; returns the ERR code received before, if any. */
  async closedWith(timeoutMs = DEFAULT_WAIT_MS): Promise<number | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => {
        timer = realSetTimeout(
          () => reject(new Error(`${this.label}: still open after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => realClearTimeout(timer));
    const err = this.inbox.find((f) => f.kind === Kind.ERR);
    return err?.kind === Kind.ERR ? err.code : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    let decoded: ServerFrame[];
    try {
      decoded = this.#decoder.push(chunk);
    } catch (err) {
      this.decodeError = err as ProtocolError;
      decoded = [...((err as ProtocolError).decoded as ServerFrame[])];
    }
    for (const frame of decoded) {
      this.receivedByKind.set(frame.kind, (this.receivedByKind.get(frame.kind) ?? 0) + 1);
      if (frame.kind === Kind.HEARTBEAT) {
        this.heartbeats++;
        if (!this.keepHeartbeats) continue;
      }
      const waiter = this.#waiters.find((w) => w.match(frame));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        realClearTimeout(waiter.timer);
        waiter.resolve(frame);
      } else {
        this.inbox.push(frame);
      }
    }
  }

  #dump(): string {
    return this.inbox.length === 0 ? '(empty)' : this.inbox.map(describeFrame).join(' | ');
  }
}

/**
 * Opens a socket (over the suite's transport) that never speaks; destroyed by `cleanup()`.
 * Also for tests that read raw bytes.
 */
export async function connectSilent(port: number): Promise<Socket> {
  const socket = await openSocket(port);
  socket.on('error', () => {});
  live.sockets.add(socket);
  return socket;
}

/** Starts a server on a free port over the suite's transport, closed by `cleanup()`. */
export async function startServer(
  options: ServerOptions = {},
): Promise<{ server: RelayServerImpl; port: number }> {
  if (TEST_CLUSTER && options.cluster === undefined) return startClusterPair(options);
  const server = new RelayServerImpl({ ...serverTransport(), ...options, port: 0 });
  live.servers.add(server);
  const { port } = await server.listen();
  return { server, port };
}

/** Destroys every client and socket, then closes every server. Call in afterEach. */
/**
 * In the `cluster` project, `startServer` starts two nodes of one cluster instead (a prefix
 * of their own in the run's Redis). The port it returns stands for both: clients connect to
 * them in turn. The server it returns answers `stats` (summed), `inspect` and `close` for
 * both nodes, and anything else as the first node.
 */
async function startClusterPair(
  options: ServerOptions,
): Promise<{ server: RelayServerImpl; port: number }> {
  const cluster = { url: inject('clusterRedisUrl'), prefix: `suite-${randomUUID()}` };
  const nodes: { server: RelayServerImpl; port: number }[] = [];
  for (const nodeId of ['a', 'b']) {
    const server = new RelayServerImpl({
      ...serverTransport(),
      ...options,
      port: 0,
      cluster: { ...cluster, nodeId },
    });
    live.servers.add(server);
    nodes.push({ server, port: (await server.listen()).port });
  }
  const [a, b] = [nodes[0]!.server, nodes[1]!.server];
  spreadPort(nodes[0]!.port, [nodes[0]!.port, nodes[1]!.port]);
  const both = new Proxy(a, {
    get(target, prop) {
      if (prop === 'stats') {
        const sum: Record<string, number> = { ...a.stats };
        for (const [k, v] of Object.entries(b.stats)) sum[k] = (sum[k] ?? 0) + v;
        // A room with members on both nodes is one room.
        sum.rooms = new Set([...a.localRooms(), ...b.localRooms()]).size;
        return sum;
      }
      if (prop === 'inspect') return (name: string) => a.inspect(name) ?? b.inspect(name);
      if (prop === 'close') {
        return async (farewell?: string) => {
          await Promise.all([a.close(farewell), b.close(farewell)]);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { server: both, port: nodes[0]!.port };
}

export async function cleanup(): Promise<void> {
  clearSpreadPorts();
  for (const c of live.clients) c.destroy();
  for (const s of live.sockets) s.destroy();
  live.clients.clear();
  live.sockets.clear();
  const servers = [...live.servers];
  live.servers.clear();
  await Promise.all(servers.map((s) => s.close()));
}

/** Waits until `check()` is true, polling on real time (for server-side state). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => realSetTimeout(r, 5));
  }
}

/** Builds a raw frame from a kind byte and payload, valid or not. */
export function rawFrame(kind: number, payload: Uint8Array = new Uint8Array()): Buffer {
  const header = Buffer.alloc(5);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** A 64-byte name field holding `name` (bytes as given, NUL-padded). */
export function nameField(name: string | Uint8Array): Buffer {
  const field = Buffer.alloc(64);
  Buffer.from(name as string).copy(field);
  return field;
}
