import type { Socket } from 'node:net';
// The runners' fake timers replace the global one; a connection's writes must not wait on them.
import { setImmediate } from 'node:timers';
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
import { FlushList } from './flush-list.js';
import { joinSlots } from './join-slots.js';
import { holdReads, takeReads } from './read-in-place.js';

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
  /**
   * `bytes` arrived (counted before decoding, and while closing too). Here rather than as a
   * second 'data' listener, which makes the socket copy its listener array on every read.
   */
  received?(bytes: number): void;
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
  /**
   * The owner handles each frame as it comes and copies the bytes it keeps (a file chunk's
   * `data`), so the decoder may reuse its buffers: a frame's bytes are valid only during the
   * `frame` call. Required for a socket that reads in place (`connectReadingInPlace`).
   */
  transientFrames?: boolean;
  /**
   * Write once per turn of the event loop instead of once per tick. For TLS sockets: they
   * hand JS each incoming TLS record as a read of its own, and a tick ends after each, so
   * per tick the writes followed the peer's record boundaries (in a fan-out, one small write
   * to every member per record the poster sent), and each TLS write costs a record and
   * several microseconds whatever its size. The turn's end adds no latency worth naming:
   * a TLS socket's write only completes at that point of the loop anyway.
   */
  flushPerTurn?: boolean;
}

/** A run of small frames is copied into one buffer; larger frames are gathered instead. */
const GATHER_AVERAGE_BYTES = 1024;

/**
 * One framed duplex over a socket, shared by client and server. Frames sent in the same tick
 * (or turn: `flushPerTurn`) are queued and go out in one write at its end (small frames copied into one
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
  /** Where this connection waits for its flush: once per tick, or once per turn. */
  readonly #flushList: FlushList<Connection>;
  /**
   * Frames sent this tick, not yet handed to the socket: the first `#queued` slots. The
   * array is kept from tick to tick (its slots cleared), so queuing a frame allocates nothing.
   */
  #queue: (Uint8Array | undefined)[] = [];
  #queued = 0;
  #queuedBytes = 0;
  #queueFlushed: (() => void)[] | null = null;
  /** Frames decoded from one read (`FrameDecoder.pushInto`), kept for the next read. */
  #decoded: (FrameFor<S> | undefined)[] | null = [];
  /** `sendRaw` returned false: the owner waits for `drain`. */
  #drainOwed = false;
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
    this.#flushList = options.flushPerTurn === true ? Connection.#perTurn : Connection.#perTick;
    this.#decoder = new FrameDecoder<S>({
      side: options.side,
      ...(options.maxListingBytes === undefined
        ? {}
        : { maxListingBytes: options.maxListingBytes }),
      reuseBuffers: options.transientFrames === true,
    });
    socket.setNoDelay(true);
    const onData = (chunk: Buffer): void => this.#onData(chunk);
    if (!(options.transientFrames === true && takeReads(socket, onData))) socket.on('data', onData);
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

  /** Bytes queued this tick (or turn), not yet offered to the socket. */
  get unflushedBytes(): number {
    return this.#queuedBytes;
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
      this.#flushList.add(this);
    }
    this.#queue[this.#queued++] = bytes;
    this.#queuedBytes += bytes.length;
    if (onFlushed !== undefined) (this.#queueFlushed ??= []).push(onFlushed);
    const ok = this.socket.writableLength + this.#queuedBytes < this.#writeWindow;
    if (!ok) this.#drainOwed = true;
    return ok;
  }

  /** Connections with frames queued this tick, all flushed by one `process.nextTick`. */
  static readonly #perTick = new FlushList<Connection>(
    (run) => process.nextTick(run),
    (conn) => conn.#flush(),
  );

  /** The same for `flushPerTurn` connections, flushed by one `setImmediate`. */
  static readonly #perTurn = new FlushList<Connection>(
    (run) => setImmediate(run),
    (conn) => conn.#flush(),
  );

  #flush(): void {
    this.#corked = false;
    const n = this.#queued;
    if (n === 0) return;
    const queue = this.#queue;
    const bytes = this.#queuedBytes;
    const flushed = this.#queueFlushed;
    this.#queueFlushed = null;
    const done =
      flushed === null
        ? undefined
        : () => {
            for (const f of flushed) f();
          };
    this.#queued = 0;
    this.#queuedBytes = 0;
    if (this.socket.destroyed) {
      this.#release(queue, n);
      done?.();
      return;
    }
    let ok = true;
    if (n === 1) {
      ok = this.socket.write(queue[0]!, done);
    } else if (bytes >= n * GATHER_AVERAGE_BYTES) {
      // Large frames (file chunks) are not worth a copy: the socket gathers them in one writev.
      this.socket.cork();
      for (let i = 0; i < n; i++) {
        ok = this.socket.write(queue[i]!, i === n - 1 ? done : undefined);
      }
      this.socket.uncork();
    } else {
      ok = this.socket.write(joinSlots(queue, n, bytes), done);
    }
    this.#release(queue, n);
    // The socket took it all at once, so it will not emit 'drain': the owner gets it here.
    if (ok && this.#drainOwed) {
      this.#drainOwed = false;
      this.#handlers.drain?.();
    }
  }

  /**
   * Empties the first `n` slots of a flushed queue, so they do not pin the frames; a burst's
   * long array is let go rather than kept at its peak size.
   */
  #release(queue: (Uint8Array | undefined)[], n: number): void {
    if (n > 256) this.#queue = [];
    else queue.fill(undefined, 0, n);
  }

  /** Stops reading from the socket (backpressure towards this peer). */
  pause(): void {
    holdReads(this.socket, true);
    this.socket.pause();
  }

  /** Starts reading again after `pause`. */
  resume(): void {
    if (this.#closing) return;
    holdReads(this.socket, false);
    this.socket.resume();
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
    holdReads(this.socket, false);
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
    this.#handlers.received?.(chunk.length);
    if (this.#closing) return;
    this.lastReceivedAt = Date.now();
    // The array is kept from read to read; a read inside a handler (none is known) gets its own.
    const decoded = this.#decoded ?? [];
    this.#decoded = null;
    let n: number;
    try {
      n = this.#decoder.pushInto(chunk, decoded);
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
    try {
      for (let i = 0; i < n; i++) {
        if (this.#closing) return;
        this.#handlers.frame(decoded[i]!);
      }
    } finally {
      decoded.fill(undefined, 0, n);
      if (n <= 256) this.#decoded = decoded;
    }
  }
}
