import { frames } from '../protocol/index.js';
import { dispatchFrame } from './dispatch.js';
import type { TypedEmitter } from './emitter.js';
import { ClientError } from './errors.js';
import type { ClientEvents } from './events.js';
import type { ResolvedConnectOptions } from './options.js';
import type { Outbox } from './outbox.js';
import type { PostWindow } from './post-window.js';
import { PresenceTracker } from './presence.js';
import { Reconnector } from './reconnector.js';
import type { RoomState } from './rooms.js';
import { publicAddress, type ServerEntry } from './servers.js';
import type { ServerAddress } from '../address.js';
import type { ClientSession, ClientSessionEnd } from './session.js';
import type { Transfers } from './transfers.js';

/** The parts of a client that a connection's arrival and loss affect. */
export interface LifecycleParts {
  opts: ResolvedConnectOptions;
  events: TypedEmitter<ClientEvents>;
  outbox: Outbox;
  window: PostWindow;
  rooms: RoomState;
  transfers: Transfers;
}

/**
 * A client's connections over time: adopting a registered session (rejoining rooms before the
 * outbox resumes), reacting to its loss (failing what waited on it, emitting `disconnect`,
 * reconnecting or finishing), and the goodbye of `close()`.
 */
export class Lifecycle {
  /** Answers to QUERY_USER belong to one connection; a new one starts a new tracker. */
  presence: PresenceTracker;
  readonly #p: LifecycleParts;
  readonly #reconnector: Reconnector;
  #session: ClientSession | null = null;
  #server: ServerEntry;
  #finished = false;
  #closing: Promise<void> | null = null;

  /** `at`: the index in `parts.opts.servers` of the server `first` is connected to. */
  constructor(parts: LifecycleParts, first: ClientSession, at: number) {
    this.#p = parts;
    this.presence = new PresenceTracker(parts.opts.name);
    this.#server = parts.opts.servers[at]!;
    this.#reconnector = new Reconnector(
      parts.opts,
      {
        emit: (event, payload) => parts.events.emit(event, payload),
        adopt: (s, server) => this.#adopt(s, server),
        giveUp: (err) => this.#finish('reconnect-failed', err),
      },
      at,
    );
    // A first session has no rooms to rejoin.
    void this.#adopt(first, this.#server).catch(() => undefined);
  }

  /** The server of the current connection (while reconnecting: of the last one). */
  get server(): ServerAddress {
    return publicAddress(this.#server);
  }

  /** True while a session is open. */
  get connected(): boolean {
    return this.#session?.open === true;
  }

  /** True once finished for good. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Sends CLIENT_DEPARTS after what is queued, waits for the close, and finishes. A session
   * still rejoining its rooms has written nothing queued yet: it says goodbye at once, and
   * the queued sends fail with CLOSED.
   */
  close(farewell: string): Promise<void> {
    this.#closing ??= (async () => {
      this.#reconnector.stop();
      const session = this.#session;
      const { outbox } = this.#p;
      if (session?.open) {
        if (outbox.session === session) {
          // An empty job: it resolves once everything queued before it was written, unless
          // the connection ends first (a queued job would then wait for a next one).
          const written = outbox.send({ frames: [], cost: 0 }).catch(() => undefined);
          await Promise.race([written, session.closed]);
        }
        if (session.open) await session.end(frames.clientDeparts(farewell));
      }
      this.#finish('closed');
    })();
    return this.#closing;
  }

  async #adopt(session: ClientSession, server: ServerEntry): Promise<void> {
    const { rooms, outbox } = this.#p;
    this.presence = new PresenceTracker(this.#p.opts.name);
    this.#session = session;
    this.#server = server;
    // Answers to offers that come before the session takes over the outbox (early frames, or
    // while rooms are rejoined) belong to it: they wait with the rest instead of failing.
    outbox.setNext(session);
    session.attach({
      frame: (frame) =>
        dispatchFrame(frame, {
          self: this.#p.opts.name,
          rooms,
          presence: this.presence,
          transfers: this.#p.transfers,
          session,
          events: this.#p.events,
          window: this.#p.window,
        }),
      end: (info) => this.#onEnd(session, info),
    });
    if (rooms.wanted.size === 0) {
      outbox.setSession(session);
      return;
    }
    // Back into our rooms before anything queued while away goes out.
    await rooms.rejoin(session, this.#p.opts.connectTimeoutMs);
    if (this.#session === session && session.open) outbox.setSession(session);
  }

  #onEnd(session: ClientSession, info: ClientSessionEnd): void {
    if (this.#session !== session) return;
    this.#session = null;
    const intentional = this.#closing !== null;
    const willReconnect = !intentional && this.#reconnector.enabled;
    const why = info.error === undefined ? info.reason : `${info.reason}: ${info.error.message}`;
    const err = new ClientError(
      'DISCONNECTED',
      `The connection ended (${why}) before an answer came; ${
        intentional
          ? 'close() was called'
          : willReconnect
            ? "try again after the 'reconnect' event"
            : 'connect() again to retry'
      }`,
      { cause: info.error },
    );
    this.#p.outbox.setSession(null);
    if (willReconnect) {
      // Posts whose echo never came go out again first, in order: at least once, never lost.
      const { rooms } = this.#p;
      this.#p.outbox.resend(this.#p.window.release((post) => rooms.wanted.has(post.room)));
    } else {
      this.#p.window.fail(err);
    }
    this.presence.failAll(err);
    this.#p.rooms.reset(err);
    this.#p.transfers.failAll(info.reason);
    this.#p.events.emit('disconnect', {
      reason: info.reason,
      ...(info.farewell === undefined ? {} : { farewell: info.farewell }),
      ...(info.error === undefined ? {} : { error: info.error }),
      willReconnect,
    });
    if (willReconnect) this.#reconnector.start();
    else if (!intentional) this.#finish('disconnected', info.error);
  }

  #finish(reason: ClientEvents['close']['reason'], error?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#reconnector.stop();
    const closed = new ClientError('CLOSED', 'The client is closed; connect() again');
    this.#p.outbox.close(closed);
    this.#p.window.fail(closed);
    this.#session?.destroy({ reason: 'closed' });
    this.#p.events.emit('close', { reason, ...(error === undefined ? {} : { error }) });
  }
}
