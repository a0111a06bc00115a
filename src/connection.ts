import type { Socket } from 'node:net';
import {
  type ErrorCode,
  encode,
  type Frame,
  FrameDecoder,
  type FrameFor,
  frames,
  type ProtocolError,
  type Side,
} from './protocol/index.js';

/** What a `Connection` tells its owner. */
export interface ConnectionHandlers<S extends Side> {
  /** A complete, valid frame arrived. */
  frame(frame: FrameFor<S>): void;
  /** The peer broke the protocol. The owner usually answers with `fail(err.wireCode)`. */
  protocolError(err: ProtocolError): void;
  /** The socket closed, for whatever reason. Called exactly once. */
  close(hadError: boolean): void;
  /** The socket's write buffer emptied after `send` returned false. */
  drain?(): void;
}

/** Options of `Connection`. */
export interface ConnectionOptions<S extends Side> {
  side: S;
  /** Client side: largest listing accepted. */
  maxListingBytes?: number;
  /** How long `fail` and `end` wait for the last bytes to flush before destroying. */
  closeTimeoutMs?: number;
  /**
   * Bytes that may wait in the socket before `send` reports backpressure (default: the
   * socket's own high-water mark). A TLS socket holds each write until it is encrypted and
   * handed on, so its 16 KiB mark would report backpressure on every large frame.
   */
  writeWindowBytes?: number;
}

/** A run of small frames is copied into one buffer; larger frames are gathered instead. */
const GATHER_AVERAGE_BYTES = 1024;

/**
 * One framed duplex over a socket, shared by client and server. Frames sent in the same tick
 * are queued and go out in one write at the end of the tick (small frames copied into one
 * buffer, large ones gathered), `send` reports backpressure like `write()` (a `false` is
 * always followed by `drain`), and a protocol violation stops reading at once.
 */
export class Connection<S extends Side = Side> {
  readonly socket: Socket;
  readonly #decoder: FrameDecoder<S>;
  readonly #handlers: ConnectionHandlers<S>;
  readonly #closeTimeoutMs: number;
  readonly #writeWindow: number;
  #corked = false;
  /** Frames sent this tick, not yet handed to the socket. */
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #queueFlushed: (() => void)[] | null = null;
  /** `sendRaw` returned false: the owner waits for `drain`. */
  #drainOwed = false;
  readonly #flushTick = (): void => this.#flush();
  #closing = false;
  #closed = false;
  /** `Date.now()` of the last byte received: any frame is a sign of life. */
  lastReceivedAt = Date.now();

  constructor(socket: Socket, handlers: ConnectionHandlers<S>, options: ConnectionOptions<S>) {
    this.socket = socket;
    this.#handlers = handlers;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
    // Never below the socket's own mark: a `false` here must be followed by its 'drain'.
    this.#writeWindow = Math.max(socket.writableHighWaterMark, options.writeWindowBytes ?? 0);
    this.#decoder = new FrameDecoder<S>({
      side: options.side,
      ...(options.maxListingBytes === undefined
        ? {}
        : { maxListingBytes: options.maxListingBytes }),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => {
      this.#drainOwed = false;
      this.#handlers.drain?.();
    });
    socket.on('error', () => {
      // 'close' follows every 'error'; the owner learns of it there.
    });
    socket.on('close', (hadError) => {
      this.#closed = true;
      this.#handlers.close(hadError);
    });
  }

  /** True once the socket has closed or a close was started. */
  get closing(): boolean {
    return this.#closing || this.#closed;
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.#queuedBytes;
  }

  /** Encodes and queues a frame. Returns false when the caller should wait for `drain`. */
  send(frame: Frame): boolean {
    return this.sendRaw(encode(frame));
  }

  /**
   * Queues bytes already encoded (one buffer shared by many sockets in a fan-out).
   * `onFlushed` runs once these bytes have left the process (or the socket failed).
   */
  sendRaw(bytes: Uint8Array, onFlushed?: () => void): boolean {
    if (this.#closing || this.#closed || this.socket.destroyed) return false;
    // One socket.write per frame costs more than the kernel's copy of it in a fan-out (the
    // stream machinery and a gather list entry each); one write per tick is the cheap way.
    if (!this.#corked) {
      this.#corked = true;
      process.nextTick(this.#flushTick);
    }
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (onFlushed !== undefined) (this.#queueFlushed ??= []).push(onFlushed);
    const ok = this.socket.writableLength + this.#queuedBytes < this.#writeWindow;
    if (!ok) this.#drainOwed = true;
    return ok;
  }

  #flush(): void {
    this.#corked = false;
    const queue = this.#queue;
    if (queue.length === 0) return;
    const bytes = this.#queuedBytes;
    const flushed = this.#queueFlushed;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#queueFlushed = null;
    const done =
      flushed === null
        ? undefined
        : () => {
            for (const f of flushed) f();
          };
    if (this.socket.destroyed) {
      done?.();
      return;
    }
    let ok = true;
    if (queue.length === 1) {
      ok = this.socket.write(queue[0]!, done);
    } else if (bytes >= queue.length * GATHER_AVERAGE_BYTES) {
      // Large frames (file chunks) are not worth a copy: the socket gathers them in one writev.
      this.socket.cork();
      for (let i = 0; i < queue.length; i++) {
        ok = this.socket.write(queue[i]!, i === queue.length - 1 ? done : undefined);
      }
      this.socket.uncork();
    } else {
      ok = this.socket.write(Buffer.concat(queue, bytes), done);
    }
    // The socket took it all at once, so it will not emit 'drain': the owner gets it here.
    if (ok && this.#drainOwed) {
      this.#drainOwed = false;
      this.#handlers.drain?.();
    }
  }

  /** Stops reading from the socket (backpressure towards this peer). */
  pause(): void {
    this.socket.pause();
  }

  /** Starts reading again after `pause`. */
  resume(): void {
    if (!this.#closing) this.socket.resume();
  }

  /**
   * Sends ERR with `code`, stops reading, and closes once the frame is flushed (or after the
   * close timeout if the peer does not read).
   */
  fail(code: ErrorCode): Promise<void> {
    return this.end(frames.error(code));
  }

  /** Optionally sends a last frame, then closes after the flush; resolves once closed. */
  end(last?: Frame): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#closing && last !== undefined) this.send(last);
    // Whatever this tick queued goes out before the FIN.
    this.#flush();
    // Reading goes on (and is discarded) so the peer's FIN is seen and 'close' comes promptly.
    this.#closing = true;
    // A peer paused for backpressure must still have its FIN read, or 'close' never comes.
    this.socket.resume();
    return new Promise((resolve) => {
      if (this.#closed) return resolve();
      this.socket.once('close', () => resolve());
      const timer = setTimeout(() => this.socket.destroy(), this.#closeTimeoutMs);
      timer.unref();
      this.socket.once('close', () => clearTimeout(timer));
      this.socket.end();
    });
  }

  /** Closes at once, discarding anything unsent. */
  destroy(): void {
    this.#closing = true;
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    this.lastReceivedAt = Date.now();
    let decoded: FrameFor<S>[];
    try {
      decoded = this.#decoder.push(chunk);
    } catch (err) {
      const error = err as ProtocolError;
      // Frames that arrived whole before the bad one are still honoured, in order.
      for (const frame of error.decoded as FrameFor<S>[]) {
        if (this.#closing) return;
        this.#handlers.frame(frame);
      }
      if (!this.#closing) this.#handlers.protocolError(error);
      return;
    }
    for (const frame of decoded) {
      if (this.#closing) return;
      this.#handlers.frame(frame);
    }
  }
}
