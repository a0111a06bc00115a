import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';

/** Receives what a socket read. The bytes are valid only during the call: copy what you keep. */
export type ReadSink = (chunk: Buffer) => void;

interface Tap {
  sink: ReadSink | null;
  /** Reads that came before anyone took them (copied, since the buffer is reused). */
  early: Buffer[];
  /** Bytes read in this turn of the event loop. */
  turnBytes: number;
  /** Reading stopped for the rest of this turn (see `TURN_BYTES`). */
  yielded: boolean;
  /** The socket's owner paused it (`holdReads`): the end of a turn must not resume it. */
  held: boolean;
}

const TAPS = new WeakMap<Socket, Tap>();

/**
 * What one socket may read in one turn of the event loop before it lets the loop go on. libuv
 * reads a busy socket up to 32 times in a row, 8 MiB here, and a flood into a room handed a
 * reader all of it at once while signals and timers waited: a Ctrl-C'd `relaykit archive`
 * of a flooded room took seconds to stop on a busy machine.
 */
const TURN_BYTES = 1024 * 1024;

/** Large enough for a read to take several file chunks' worth at once. */
const READ_BUFFER_BYTES = 256 * 1024;
let readBuffer: Buffer | null = null;

/**
 * Opens a plain TCP connection whose reads land in one buffer shared by every such socket of
 * the process (node's `onread`), instead of a fresh 64 KiB buffer per read through the stream
 * machinery: those allocations, and the garbage collections they caused, were a third of a
 * client's time when receiving a file. Sharing is safe because each read is handed to its
 * sink and consumed before the next read can happen. Pausing the socket stops reading at
 * once. Take the reads with `takeReads`; there are no `'data'` events.
 */
export function connectReadingInPlace(options: NetConnectOpts): Socket {
  const tap: Tap = { sink: null, early: [], turnBytes: 0, yielded: false, held: false };
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const endTurn = (): void => {
    tap.turnBytes = 0;
    if (!tap.yielded) return;
    tap.yielded = false;
    if (!tap.held && !socket.destroyed) socket.resume();
  };
  const socket = netConnect({
    ...options,
    onread: {
      buffer: readBuffer,
      callback(n: number, buf: Uint8Array): boolean {
        const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
        if (tap.sink !== null) tap.sink(chunk);
        else tap.early.push(Buffer.from(chunk));
        if (tap.turnBytes === 0) setImmediate(endTurn);
        tap.turnBytes += n;
        if (tap.turnBytes < TURN_BYTES) return true;
        // false pauses the socket; `endTurn`, after the loop's other work, resumes it.
        tap.yielded = true;
        return false;
      },
    },
  });
  TAPS.set(socket, tap);
  return socket;
}

/**
 * Tells a socket opened by `connectReadingInPlace` that its owner paused it (`held`) or
 * resumed it, so the end of a turn leaves an owner's pause alone. Other sockets: no effect.
 */
export function holdReads(socket: Socket, held: boolean): void {
  const tap = TAPS.get(socket);
  if (tap !== undefined) tap.held = held;
}

/**
 * Hands the reads of a socket opened by `connectReadingInPlace` to `sink` (those that came
 * before are delivered first, in a microtask) and returns true; returns false for any other socket, whose
 * bytes come as `'data'` events.
 */
export function takeReads(socket: Socket, sink: ReadSink): boolean {
  const tap = TAPS.get(socket);
  if (tap === undefined) return false;
  tap.sink = sink;
  const early = tap.early.splice(0);
  // Not from inside the caller (a constructor, usually); still before any later read.
  if (early.length > 0) {
    queueMicrotask(() => {
      for (const chunk of early) sink(chunk);
    });
  }
  return true;
}
