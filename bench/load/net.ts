import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Target, Usage } from '../lib/ipc.js';
import { FrameScanner, type FrameSink } from './wire.js';

/** What a load scenario gets from the load-generator process. */
export interface LoadContext {
  targets: Target[];
  params: Record<string, number>;
  /**
   * Records a point in time for `target`; the orchestrator samples that server's CPU and
   * memory there (after a GC when `gc`), and the load generator its own. Each `start…` mark
   * and the `end…` mark with the same suffix bound one measured window.
   */
  mark(target: string, name: string, gc?: boolean): Promise<Usage | null>;
}

/** The target named `relaykit` (or the only one). */
export function mainTarget(ctx: LoadContext): Target {
  return ctx.targets.find((t) => t.name === 'relaykit') ?? ctx.targets[0]!;
}

/** Receives what a socket read, in place: the bytes are only valid during the call. */
export type OnChunk = (chunk: Buffer) => void;

// Every socket of the load generator reads into this one buffer (node's `onread`): no
// allocation and no stream machinery per read, which is most of a receiver's cost. It is safe
// because each chunk is consumed synchronously; the scanner copies any partial frame it keeps.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** Connect options that hand each read to `onChunk` through the shared read buffer. */
export function reading(onChunk: OnChunk): {
  onread: { buffer: Buffer; callback(n: number, buf: Buffer): boolean };
} {
  return {
    onread: {
      buffer: READ_BUFFER,
      callback(n: number, buf: Buffer): boolean {
        onChunk(buf.subarray(0, n));
        return true;
      },
    },
  };
}

/**
 * Opens a TCP connection with Nagle off; whatever it receives goes to `onChunk`. With `tls`,
 * a TLS connection trusting that CA, reading the same way (`tls.connect` takes `onread`
 * too): a TLS round must not pay for a fresh chunk and a stream push per read where the
 * plaintext round it is compared with does not.
 */
export function open(
  host: string,
  port: number,
  onChunk: OnChunk = () => {},
  tls?: { ca: string },
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      tls === undefined
        ? connect({ host, port, noDelay: true, ...reading(onChunk) })
        : tlsConnect({ host, port, ca: tls.ca, ...reading(onChunk) }).setNoDelay(true);
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Opens a TCP (or TLS) connection whose frames go, one by one, to `sink`. */
export function openFrames(
  host: string,
  port: number,
  sink: FrameSink,
  tls?: { ca: string },
): Promise<Socket> {
  const scanner = new FrameScanner(sink);
  return open(host, port, (chunk) => scanner.push(chunk), tls);
}

/** A promise with its resolve and reject at hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

/** Makes a `Deferred`. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with a message naming `what` unless `promise` settles within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` (only for holding load for a set time, never to wait for an event). */
export function hold(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Closes every socket at once. */
export function destroyAll(sockets: Iterable<Socket>): void {
  for (const socket of sockets) socket.destroy();
}
