import { connect, type Socket } from 'node:net';
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

/** Opens a TCP connection with Nagle off; `sink` receives its frames (none for raw bytes). */
export function open(host: string, port: number, sink?: FrameSink): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    if (sink) {
      const scanner = new FrameScanner(sink);
      socket.on('data', (chunk: Buffer) => scanner.push(chunk));
    }
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
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
