import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';

/** Receives what a socket read. The bytes are valid only during the call: copy what you keep. */
export type ReadSink = (chunk: Buffer) => void;

interface Tap {
  sink: ReadSink | null;
  /** Reads that came before anyone took them (copied, since the buffer is reused). */
  early: Buffer[];
}

const TAPS = new WeakMap<Socket, Tap>();

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
  const tap: Tap = { sink: null, early: [] };
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const socket = netConnect({
    ...options,
    onread: {
      buffer: readBuffer,
      callback(n: number, buf: Uint8Array): boolean {
        const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
        if (tap.sink !== null) tap.sink(chunk);
        else tap.early.push(Buffer.from(chunk));
        return true;
      },
    },
  });
  TAPS.set(socket, tap);
  return socket;
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
