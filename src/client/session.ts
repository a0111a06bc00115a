import type { Socket } from 'node:net';
import { Connection } from '../connection.js';
import {
  ErrorCode,
  errorCodeName,
  type Frame,
  frames,
  Kind,
  type ProtocolError,
  type ServerFrame,
} from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { DisconnectReason } from './payloads.js';
import { Heartbeat } from './heartbeat.js';

/** How and why a session ended. */
export interface ClientSessionEnd {
  reason: DisconnectReason;
  farewell?: string;
  error?: Error;
}

/** What a session reports to its owner once attached. */
export interface ClientSessionHandlers {
  frame(frame: ServerFrame): void;
  end(info: ClientSessionEnd): void;
}

/** Settings of `ClientSession`. */
export interface ClientSessionOptions {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  maxListingBytes: number | undefined;
}

/**
 * One TCP connection of a client: framing (via `Connection`), heartbeats, the silence
 * timeout, and the frames that end a connection (ERR, SERVER_DEPARTS). Frames that arrive
 * before an owner attaches are kept and handed over in order on `attach`.
 */
export class ClientSession {
  readonly conn: Connection<'client'>;
  /** Resolves once the socket has closed, with the reason. */
  readonly closed: Promise<ClientSessionEnd>;
  readonly #heartbeat: Heartbeat;
  readonly #drainWaiters = new Set<() => void>();
  readonly #flushWaiters = new Set<() => void>();
  #handlers: ClientSessionHandlers | null = null;
  #early: ServerFrame[] = [];
  #endInfo: ClientSessionEnd | null = null;
  #done = false;
  #resolveClosed!: (info: ClientSessionEnd) => void;
  /** Before `attach`: who wants to see frames (registration). */
  onEarlyFrame: ((frame: ServerFrame) => boolean) | null = null;

  constructor(socket: Socket, options: ClientSessionOptions) {
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.conn = new Connection<'client'>(
      socket,
      {
        frame: (frame) => this.#onFrame(frame),
        protocolError: (err) => this.#onProtocolError(err),
        close: () => this.#onClose(),
        drain: () => this.#wakeDrain(),
      },
      { side: 'client', maxListingBytes: options.maxListingBytes, transientFrames: true },
    );
    this.#heartbeat = new Heartbeat({
      intervalMs: options.heartbeatIntervalMs,
      timeoutMs: options.heartbeatTimeoutMs,
      beat: () => this.conn.send(frames.heartbeat()),
      lastReceivedAt: () => this.conn.lastReceivedAt,
      onSilence: () =>
        this.destroy({
          reason: 'timeout',
          error: new ClientError(
            'TIMEOUT',
            `The server sent nothing for ${options.heartbeatTimeoutMs} ms; the connection was dropped`,
          ),
        }),
    });
  }

  /** True while frames can still be sent. */
  get open(): boolean {
    return !this.#done && !this.conn.closing;
  }

  /** Hands frames to `handlers` from now on, starting with those that came early. */
  attach(handlers: ClientSessionHandlers): void {
    this.#handlers = handlers;
    this.onEarlyFrame = null;
    const early = this.#early;
    this.#early = [];
    for (const frame of early) {
      if (!this.open) break;
      handlers.frame(frame);
    }
    if (this.#done) handlers.end(this.#endInfo ?? { reason: 'closed' });
  }

  /** Queues a frame; false means wait for `drained()` before sending more. */
  write(frame: Frame): boolean {
    return this.conn.send(frame);
  }

  /** Queues frames already encoded; false means wait for `drained()`. */
  writeRaw(bytes: Uint8Array, onFlushed?: () => void): boolean {
    return this.conn.sendRaw(bytes, onFlushed);
  }

  /** Resolves when the socket's buffer drains, or the connection ends. */
  drained(): Promise<void> {
    if (!this.open || this.conn.socket.writableNeedDrain === false) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.add(resolve));
  }

  /** Resolves true once everything written so far reached the kernel, false if it closed first. */
  flushed(): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    return new Promise((resolve) => {
      // Close wakes every waiter too, in case the write callback never comes.
      const onClose = (): void => resolve(false);
      this.#flushWaiters.add(onClose);
      // An empty write completes after every earlier write, corked ones included.
      this.conn.socket.write(Buffer.alloc(0), (err) => {
        this.#flushWaiters.delete(onClose);
        resolve(err == null);
      });
    });
  }

  /** Sends `last` (if any), flushes and closes. */
  end(last?: Frame, info: ClientSessionEnd = { reason: 'closed' }): Promise<void> {
    this.#endInfo ??= info;
    this.#heartbeat.stop();
    return this.conn.end(last);
  }

  /** Closes at once, recording why. */
  destroy(info: ClientSessionEnd): void {
    this.#endInfo ??= info;
    this.#heartbeat.stop();
    this.conn.destroy();
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.kind) {
      case Kind.HEARTBEAT:
        return;
      case Kind.ERR: {
        const name = errorCodeName(frame.code);
        this.destroy({
          reason: 'server-error',
          error: new ClientError(
            'SERVER_ERROR',
            `The server closed the connection: ERR ${name}; ${serverErrorHint(frame.code)}`,
            { wireCode: frame.code },
          ),
        });
        return;
      }
      case Kind.SERVER_DEPARTS:
        void this.end(undefined, { reason: 'server-departed', farewell: frame.farewell });
        return;
    }
    if (this.#handlers !== null) this.#handlers.frame(frame);
    else if (this.onEarlyFrame?.(frame) !== true) this.#early.push(kept(frame));
  }

  #onProtocolError(err: ProtocolError): void {
    this.#endInfo ??= {
      reason: 'protocol-error',
      error: new ClientError(
        'PROTOCOL_ERROR',
        `The server sent a frame that breaks the protocol: ${err.message}`,
        { wireCode: err.wireCode, cause: err },
      ),
    };
    this.#heartbeat.stop();
    void this.conn.fail(err.wireCode as ErrorCode);
  }

  #onClose(): void {
    if (this.#done) return;
    this.#done = true;
    this.#heartbeat.stop();
    this.#wakeDrain();
    for (const wake of this.#flushWaiters) wake();
    this.#flushWaiters.clear();
    const info = this.#endInfo ?? { reason: 'closed' };
    this.#endInfo = info;
    this.#resolveClosed(info);
    this.#handlers?.end(info);
  }

  #wakeDrain(): void {
    const waiters = [...this.#drainWaiters];
    this.#drainWaiters.clear();
    for (const wake of waiters) wake();
  }
}

/** A frame to keep past its `frame` call: a chunk's bytes are in a buffer about to be reused. */
function kept(frame: ServerFrame): ServerFrame {
  return frame.kind === Kind.FILE_TRANSFER ? { ...frame, data: Buffer.from(frame.data) } : frame;
}

/** What to do about an ERR the server sent mid-session. */
function serverErrorHint(code: number): string {
  switch (code) {
    case ErrorCode.TOO_MANY_ROOMS:
      return 'the server has no room for another room: join one that exists (client.rooms() lists them)';
    case ErrorCode.TOO_MANY_USERS:
      return 'the server is full: try again later';
    case ErrorCode.NAME_IN_USE:
      return 'the name is taken: connect with another name';
    default:
      return 'the server refused a frame this client sent; check the server log, and report it if relaykit sent it';
  }
}
