import type { Socket } from 'node:net';
import {
  type ClientFrame,
  type ErrorCode,
  ErrorCode as Codes,
  encode,
  errorCodeName,
  frames,
  HEADER_BYTES,
  Kind,
  type ProtocolError,
  validateFarewell,
} from '../protocol/index.js';
import type { ClusterHost, ClusterLink } from './cluster/link.js';
import type { ServerContext } from './context.js';
import { listenError, ServerError } from './errors.js';
import { abortTransfers, releaseSenders } from './handlers/files.js';
import { fileChunk, fileControl, nodeGone } from './handlers/remote-files.js';
import { dispatch } from './handlers/index.js';
import { leaveAllRooms } from './handlers/rooms.js';
import { Listings } from './listings.js';
import { HeartbeatSweeper, RegistrationDeadlines } from './heartbeat.js';
import type { Logger } from './logger.js';
import { type ResolvedServerOptions, resolveOptions, type ServerOptions } from './options.js';
import { CrossNodePosts } from './cross-node-posts.js';
import { holdSenders } from './hold-senders.js';
import { PostBatch } from './post-batch.js';
import { Registry } from './registry.js';
import { type DisconnectReason, ServerCounters } from './metrics/counters.js';
import type { ClusterHealth } from './metrics/health.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';
import { ServerSession, type SessionOwner } from './session.js';
import { TransferTable } from './transfers.js';
import {
  type Listener,
  openListener,
  type Peer,
  type ServerTlsOptions,
  TransportError,
  type TransportKind,
} from '../transport/index.js';

/** Counters describing a running server. */
export interface ServerStats {
  /** Open TCP connections, registered or not. */
  connections: number;
  /** Registered users. */
  users: number;
  /** Rooms with at least one member. */
  rooms: number;
  /** Live file transfers (offered or accepted). */
  transfers: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** USER_LISTINGs sent, and their bytes (coalesced in big rooms, CLARIFICATIONS §5.11). */
  listingsOut: number;
  listingBytesOut: number;
}

/** One listener of a running server. */
export interface BoundAddress {
  transport: TransportKind;
  host: string;
  port: number;
}

/** A running (or ready to run) relay server. */
export interface RelayServer {
  /**
   * Starts listening; resolves to the main listener's address (port 0 picks a free port).
   * With `tls` and `plainPort`, the plaintext listener is in `addresses`.
   */
  listen(port?: number, host?: string): Promise<{ host: string; port: number }>;
  /** Every bound listener, the main one first (empty before `listen`). */
  readonly addresses: readonly BoundAddress[];
  /**
   * Serves new TLS handshakes with a new certificate and key (and CA), e.g. on SIGHUP;
   * connections already open are not touched. Throws `TransportError` and keeps the old ones
   * when the new ones are unusable; throws `ServerError('NOT_TLS')` on a plaintext server.
   */
  reloadTls(tls: ServerTlsOptions): void;
  /**
   * Sends SERVER_DEPARTS to every client, waits at most 1 s for the flush (cutting off clients
   * that do not read), leaves the cluster, and stops.
   */
  close(farewell?: string): Promise<void>;
  /** Live counters, read-only. */
  readonly stats: Readonly<ServerStats>;
  /** Where `/metrics` and `/healthz` are served (null without `metrics`, or before `listen`). */
  readonly metricsAddress: { host: string; port: number } | null;
}

/** Every ERR frame is a 5-byte header and its code byte. */
const ERR_FRAME_BYTES = HEADER_BYTES + 1;

/** The farewell sent when `close()` is called without one. */
export const DEFAULT_SERVER_FAREWELL = 'Server shutting down';

/**
 * How long `close()` waits for the farewells to flush before cutting off the clients that do
 * not read. Well under `relaykit serve`'s 1.5 s stop deadline: the steps after the flush (a
 * cluster node's departure, the metrics endpoint) must finish before it, or a single client
 * that stopped reading would make a stopped node exit 130 and leave its users listed in the
 * cluster until its lease ran out.
 */
export const SHUTDOWN_FLUSH_MS = 1_000;

/** What `inspect` reports about one registered user (for tests and diagnostics). */
export interface SessionSnapshot {
  name: string;
  rooms: string[];
  transfers: number[];
  /** Bytes queued on its socket, of which `relayBytes` are relayed file data. */
  bufferedBytes: number;
  relayBytes: number;
  /** True while its reading is paused because a receiver of its file or posts is backed up. */
  paused: boolean;
  /**
   * `Date.now()` since which its backed-up socket has been holding a sender back (the clock
   * the heartbeat sweep's stall check reads), or null while it holds no one.
   */
  holdingSince: number | null;
}

/**
 * The reference server. Use `createServer()`; this class is exported for tests that need
 * `inspect`.
 */
export class RelayServerImpl implements RelayServer, SessionOwner {
  readonly options: ResolvedServerOptions;
  readonly counters = new ServerCounters();
  /**
   * The cluster's state for `/healthz` and the cluster gauges; the cluster code sets it
   * (null on a single node).
   */
  clusterHealth: (() => ClusterHealth) | null;
  readonly #log: Logger;
  readonly #registry: Registry<ServerSession>;
  readonly #transfers = new TransferTable<ServerSession>();
  /**
   * A member a quarter of the way to the output limit holds back whoever posts to it, on
   * this node or (through `#crossNode`) another.
   */
  get #watermark(): number {
    return this.options.maxOutputBytes / 4;
  }
  readonly #posts = new PostBatch((member, senders) =>
    holdSenders(member, senders, this.#watermark),
  );
  readonly #listings: Listings<ServerSession>;
  readonly #sessions = new Set<ServerSession>();
  readonly #ctx: ServerContext;
  readonly #heartbeat: HeartbeatSweeper;
  readonly #deadlines: RegistrationDeadlines;
  #listeners: Listener[] = [];
  #listening = false;
  #nextId = 1;
  #closing: Promise<void> | null = null;
  #metrics: MetricsEndpoint | null = null;
  #cluster: ClusterLink | null = null;
  /** Room backpressure across nodes (null on a single node). */
  #crossNode: CrossNodePosts | null = null;

  constructor(options: ServerOptions = {}) {
    this.options = resolveOptions(options);
    this.#log = this.options.logger;
    this.clusterHealth = options.clusterHealth ?? null;
    // In a cluster the room limit is counted in Redis, across every node.
    this.#registry = new Registry<ServerSession>(
      this.options.cluster === null ? { maxRooms: this.options.maxRooms } : {},
    );
    this.#listings = new Listings<ServerSession>(
      (room) => (this.#cluster === null ? this.#names(room) : this.#cluster.names(room)),
      this.options.listingPace,
    );
    this.#ctx = {
      // A plain field, set once the cluster is joined: handlers read it on every post.
      cluster: null,
      hold: (session, pending, then, orphaned) => this.#hold(session, pending, then, orphaned),
      waitForCluster: (session, room) => this.#crossNode?.wait(session, room),
      options: this.options,
      log: this.#log,
      counters: this.counters,
      registry: this.#registry,
      transfers: this.#transfers,
      posts: this.#posts,
      listings: this.#listings,
      fail: (s, code, reason) => this.#fail(s, code, reason),
      finish: (s, reason, why) => this.#finish(s, reason, why),
      registered: (s) => this.#deadlines.delete(s),
    };
    this.#heartbeat = new HeartbeatSweeper({
      intervalMs: this.options.heartbeatIntervalMs,
      timeoutMs: this.options.heartbeatTimeoutMs,
      sessions: () => this.#registry.users(),
      silent: (s, ms) =>
        this.#finish(s, `no heartbeat for ${Math.round(ms / 1000)} s`, 'heartbeat_timeout'),
      stalled: (s, ms) =>
        this.#cutOff(s, `held back senders without reading for ${Math.round(ms / 1000)} s`),
    });
    this.#deadlines = new RegistrationDeadlines(this.options.registrationTimeoutMs, (s) =>
      this.#finish(
        s,
        `did not register within ${this.options.registrationTimeoutMs} ms`,
        'registration_timeout',
      ),
    );
  }

  /** A room's member names in join order, for its listings. */
  *#names(room: string): Generator<string> {
    const members = this.#registry.members(room);
    if (members !== undefined) for (const m of members) yield m.name;
  }

  get maxOutputBytes(): number {
    return this.options.maxOutputBytes;
  }

  get stats(): Readonly<ServerStats> {
    return {
      connections: this.#sessions.size,
      users: this.#registry.userCount,
      rooms: this.#registry.roomCount,
      transfers: this.#transfers.ownCount,
      framesIn: this.counters.framesIn,
      framesOut: this.counters.framesOut,
      bytesIn: this.counters.bytesIn,
      bytesOut: this.counters.bytesOut,
      listingsOut: this.#listings.sent,
      listingBytesOut: this.#listings.bytesSent,
    };
  }

  listen(
    port = this.options.port,
    host = this.options.host,
  ): Promise<{ host: string; port: number }> {
    if (this.#closing) {
      return Promise.reject(
        new ServerError('SERVER_CLOSED', 'This server was closed; create a new one'),
      );
    }
    if (this.#listening) {
      return Promise.reject(
        new ServerError(
          'ALREADY_LISTENING',
          'This server is already listening; call listen() once',
        ),
      );
    }
    this.#listening = true;
    return this.#joinCluster()
      .then(() => this.#openListeners(port, host))
      .catch(async (err: unknown) => {
        this.#listening = false;
        await this.#cluster?.close();
        this.#cluster = null;
        this.#ctx.cluster = null;
        throw err;
      });
  }

  /** Loads the cluster code (and ioredis) only with `cluster`, and joins before listening. */
  async #joinCluster(): Promise<void> {
    const options = this.options.cluster;
    if (options === null) return;
    const { startClusterLink } = await import('./cluster/redis-link.js');
    this.#cluster = await startClusterLink(options, this.#clusterHost());
    this.#crossNode = new CrossNodePosts(this.#cluster);
    this.#ctx.cluster = this.#cluster;
    const crossNode = this.#crossNode;
    this.clusterHealth ??= () => ({
      ...this.#cluster!.health(),
      postersHeld: crossNode.postersHeld,
      membersHolding: crossNode.membersHolding,
    });
  }

  /** What the cluster may do to this server: deliver, tell rooms, list and evict users. */
  #clusterHost(): ClusterHost {
    const registry = this.#registry;
    return {
      log: this.#log,
      maxUsers: this.options.maxUsers,
      maxRooms: this.options.maxRooms,
      maxOutputBytes: this.options.maxOutputBytes,
      deliverPosts: (room, frames, count, origin) => {
        const members = registry.members(room);
        if (members === undefined) return;
        this.#listings.beforeRemotePost(room);
        this.#posts.flush();
        const watermark = this.#watermark;
        for (const m of members) {
          if (!m.sendRaw(frames, count) && !m.conn.closing && m.queuedChatBytes > watermark) {
            this.#crossNode?.hold(m, room, origin);
          }
        }
      },
      postsMayFlow: () => this.#crossNode?.retry(),
      deliverDirect: (name, frame) => registry.user(name)?.sendRaw(frame),
      roomChanged: (room) => this.#listings.changed(room),
      localUsers: function* () {
        for (const s of registry.users()) yield { name: s.name, rooms: [...s.rooms] };
      },
      hasLocalMembers: (room) => registry.members(room) !== undefined,
      evict: (name, reason) => {
        const s = registry.user(name);
        if (s !== undefined) this.#fail(s, Codes.NAME_IN_USE, reason);
      },
      fileControl: (message) => fileControl(this.#ctx, message),
      fileChunk: (id, finished, data) => fileChunk(this.#ctx, id, finished, data),
      nodeGone: (node) => nodeGone(this.#ctx, node),
    };
  }

  #hold<T>(
    session: ServerSession,
    pending: Promise<T>,
    then: (value: T) => void,
    orphaned?: (value: T) => void,
  ): void {
    session.held = [];
    session.conn.pause();
    void pending.then((value) => {
      if (session.state === 'closed') {
        session.held = null;
        orphaned?.(value);
        return;
      }
      const held = session.held ?? [];
      session.held = null;
      this.#guard(session, () => then(value));
      for (let i = 0; i < held.length; i++) {
        // Read afresh each time: a step may have started another wait.
        const again = session.held as ClientFrame[] | null;
        if (again !== null) {
          // The rest wait behind it, in order.
          again.push(...held.slice(i));
          break;
        }
        this.frame(session, held[i]!);
      }
      const ended = (session.state as ServerSession['state']) === 'closed';
      if (!ended) session.resumeIfFree();
    });
  }

  get metricsAddress(): { host: string; port: number } | null {
    return this.#metrics === null ? null : { host: this.#metrics.host, port: this.#metrics.port };
  }

  /** True once `close()` was called: `/healthz` answers 503 from then on. */
  get draining(): boolean {
    return this.#closing !== null;
  }

  /** Runs `clusterHealth`, or null on a single node. */
  readClusterHealth(): ClusterHealth | null {
    return this.clusterHealth === null ? null : this.clusterHealth();
  }

  get addresses(): readonly BoundAddress[] {
    return this.#listeners.map((l) => ({ transport: l.transport, host: l.host, port: l.port }));
  }

  reloadTls(tls: ServerTlsOptions): void {
    const secure = this.#listeners.filter((l) => l.transport === 'tls');
    if (this.options.tls === null) {
      throw new ServerError(
        'NOT_TLS',
        'This server has no TLS listener to reload; start it with tls',
      );
    }
    for (const l of secure) l.reload(tls);
    this.#log.info('TLS certificate reloaded', { listeners: secure.length });
  }

  async #openListeners(port: number, host: string): Promise<{ host: string; port: number }> {
    const specs: { port: number; tls?: ServerTlsOptions }[] = [
      this.options.tls === null ? { port } : { port, tls: this.options.tls },
    ];
    if (this.options.plainPort !== null) specs.push({ port: this.options.plainPort });
    const events = {
      accept: (socket: Socket, peer: Peer) => this.#accept(socket, peer),
      refused: (addr: string, reason: string) =>
        this.#log.info('connection refused', { addr, reason }),
      error: (err: Error) => this.#log.error('accept failed', { reason: err.message }),
    };
    try {
      for (const spec of specs) {
        const listener = await openListener(
          { ...spec, host, handshakeTimeoutMs: this.options.registrationTimeoutMs },
          events,
        );
        this.#listeners.push(listener);
        this.#log.info('listening', {
          host: listener.host,
          port: listener.port,
          transport: listener.transport,
          ...(listener.clientAuth === null ? {} : { clientAuth: listener.clientAuth }),
        });
      }
    } catch (err) {
      const opened = this.#listeners.splice(0);
      await Promise.all(opened.map((l) => l.close()));
      if (err instanceof TransportError) {
        throw new ServerError(err.code, err.message, { cause: err });
      }
      const failed = specs[opened.length]!;
      throw listenError(err as NodeJS.ErrnoException, host, failed.port);
    }
    if (this.options.metrics !== null) await this.#openMetrics(this.options.metrics);
    this.#heartbeat.start();
    const main = this.#listeners[0]!;
    return { host: main.host, port: main.port };
  }

  /** Loads prom-client only now: a server without `metrics` never imports it. */
  async #openMetrics(at: { host: string; port: number }): Promise<void> {
    const { startServerMetrics } = await import('./metrics/index.js');
    const self = this;
    try {
      this.#metrics = await startServerMetrics(
        {
          counters: this.counters,
          get stats() {
            return self.stats;
          },
          get draining() {
            return self.draining;
          },
          clusterHealth: () => this.readClusterHealth(),
        },
        at.host,
        at.port,
      );
    } catch (err) {
      const opened = this.#listeners.splice(0);
      await Promise.all(opened.map((l) => l.close()));
      throw err;
    }
    this.#log.info('serving metrics', { host: this.#metrics.host, port: this.#metrics.port });
  }

  close(farewell = DEFAULT_SERVER_FAREWELL): Promise<void> {
    if (this.#closing) return this.#closing;
    try {
      validateFarewell(farewell);
    } catch (err) {
      return Promise.reject(
        new ServerError(
          'INVALID_FAREWELL',
          `Cannot close with that farewell: ${(err as Error).message}`,
          {
            cause: err,
          },
        ),
      );
    }
    this.#closing = this.#shutdown(farewell);
    return this.#closing;
  }

  /** Names of the rooms with members on this node, sorted (for tests and diagnostics). */
  localRooms(): readonly string[] {
    return this.#registry.roomNames();
  }

  /** A snapshot of one registered user's server-side state, or undefined. */
  inspect(name: string): SessionSnapshot | undefined {
    const s = this.#registry.user(name);
    if (s === undefined) return undefined;
    return {
      name: s.name,
      rooms: [...s.rooms],
      transfers: [...s.transfers],
      bufferedBytes: s.conn.bufferedBytes,
      relayBytes: s.queuedRelayBytes,
      paused: s.blockedOn.size > 0 || s.remoteWaits > 0,
      holdingSince: s.holdingSince,
    };
  }

  async #shutdown(farewell: string): Promise<void> {
    this.#heartbeat.stop();
    this.#deadlines.stop();
    const stopped = Promise.all(this.#listeners.map((l) => l.close()));
    const departs = encode(frames.serverDeparts(farewell));
    const ends: Promise<void>[] = [];
    for (const s of this.#sessions) {
      s.closeReason = 'server shutting down';
      s.disconnect = 'shutdown';
      if (s.state === 'registered') s.sendRaw(departs);
      // Connection.end waits for the flush, bounded by its close timeout, then destroys.
      ends.push(s.conn.end());
    }
    this.#log.info('shutting down', { clients: this.#sessions.size, farewell });
    const flushed = Promise.all(ends);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
    });
    await Promise.race([flushed, late]);
    clearTimeout(timer);
    for (const s of this.#sessions) s.conn.destroy();
    await flushed;
    await stopped;
    // After every session's departure was sent to Redis, so none is left behind there.
    await this.#cluster?.close();
    // Last, so that /healthz answers 503 for the whole drain.
    await this.#metrics?.close();
    this.#log.info('stopped', {
      framesIn: this.counters.framesIn,
      framesOut: this.counters.framesOut,
    });
  }

  /** Every connection, from every listener, comes in here (and only here). */
  #accept(socket: Socket, peer: Peer): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const session = new ServerSession(this.#nextId++, socket, peer, this);
    this.#sessions.add(session);
    this.counters.connectionsOpened++;
    this.#deadlines.add(session);
    this.#log.info('connection opened', {
      conn: session.id,
      addr: session.address,
      transport: peer.transport,
      ...(peer.certificateNames === null ? {} : { cert: peer.certificateNames.join(',') }),
    });
  }

  // SessionOwner: events from each connection.

  frame(session: ServerSession, frame: ClientFrame): void {
    // #guard's work without its closure: this runs for every frame every client sends.
    if (session.state === 'closed') return;
    try {
      dispatch(this.#ctx, session, frame);
    } catch (err) {
      this.#handlerFailed(session, err);
    }
  }

  /** Runs a handler step: a bug in it costs one connection, never the server. */
  #guard(session: ServerSession, step: () => void): void {
    if (session.state === 'closed') return;
    try {
      step();
    } catch (err) {
      this.#handlerFailed(session, err);
    }
  }

  #handlerFailed(session: ServerSession, err: unknown): void {
    // A bug must cost one connection, never the server.
    this.#log.error('handler failed', {
      conn: session.id,
      name: session.name,
      reason: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    this.#fail(session, Codes.UNKNOWN, 'internal error');
  }

  protocolError(session: ServerSession, err: ProtocolError): void {
    this.#fail(session, err.wireCode, err.message);
  }

  closed(session: ServerSession): void {
    const reason = session.closeReason ?? 'connection closed by client';
    this.counters.disconnects[session.disconnect ?? 'closed']++;
    this.#teardown(session);
    this.#sessions.delete(session);
    this.#log.info('connection closed', {
      conn: session.id,
      name: session.name === '' ? undefined : session.name,
      reason,
    });
  }

  drained(session: ServerSession): void {
    releaseSenders(session);
    this.#crossNode?.release(session);
  }

  flushPosts(): void {
    this.#posts.flush();
  }

  overflow(session: ServerSession): void {
    this.#cutOff(
      session,
      `output limit of ${this.options.maxOutputBytes} bytes exceeded (client not reading)`,
    );
  }

  /** Drops a client that does not read: nothing more can be flushed to it. */
  #cutOff(session: ServerSession, reason: string): void {
    if (session.closeReason !== null) return;
    session.closeReason = reason;
    session.disconnect = 'slow_reader';
    this.#log.warn('slow client disconnected', {
      conn: session.id,
      name: session.name,
      queued: session.conn.bufferedBytes,
      reason,
    });
    // Its cleanup (rooms, transfers, paused offerers) runs on 'close'.
    session.conn.destroy();
  }

  #fail(session: ServerSession, code: ErrorCode, reason: string): void {
    if (session.state === 'closed') return;
    session.closeReason = `${errorCodeName(code)}: ${reason}`;
    session.disconnect = 'protocol_error';
    this.counters.protocolErrors[code]!++;
    this.#log.warn('protocol error', {
      conn: session.id,
      name: session.name === '' ? undefined : session.name,
      code: errorCodeName(code),
      reason,
    });
    this.#teardown(session);
    this.#posts.flush();
    if (!session.conn.closing) {
      // Connection.fail writes the ERR itself, past sendRaw's counting.
      this.counters.framesOut++;
      this.counters.framesOutByKind[Kind.ERR]!++;
      this.counters.bytesOut += ERR_FRAME_BYTES;
    }
    void session.conn.fail(code);
  }

  #finish(session: ServerSession, reason: string, why: DisconnectReason): void {
    if (session.state === 'closed') return;
    session.closeReason = reason;
    session.disconnect = why;
    this.#teardown(session);
    this.#posts.flush();
    void session.conn.end();
  }

  /** Everything a departure implies (§9), run once, whatever the cause. */
  #teardown(session: ServerSession): void {
    if (session.state === 'closed') return;
    const wasRegistered = session.state === 'registered';
    session.state = 'closed';
    this.#deadlines.delete(session);
    if (!wasRegistered) return;
    this.#registry.removeUser(session.name, session);
    leaveAllRooms(this.#ctx, session);
    abortTransfers(this.#ctx, session);
    this.#crossNode?.forget(session);
    this.#cluster?.release(session.name);
  }
}

/**
 * Creates a relay server. Nothing happens until `listen()`.
 *
 * @example
 * const server = createServer({ maxUsers: 100, logger: createLogger({ level: 'info' }) })
 * const { port } = await server.listen(0)
 * // ... later
 * await server.close('Back in five minutes')
 */
export function createServer(options?: ServerOptions): RelayServer {
  return new RelayServerImpl(options);
}
