import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Target } from '../lib/ipc.js';
import { round as round3 } from '../lib/stats.js';
import { type Deferred, deferred, type LoadContext, open, openFrames, within } from './net.js';
import {
  chunkFrame,
  K,
  type Negotiation,
  nameFrame,
  negotiationFrame,
  queryFrame,
  readNegotiation,
} from './wire.js';

const CHUNK = 4096;
const BLOCK = 1024 * 1024;
const CORK = 16;

/** The figures of one transfer. */
export interface FileRound {
  seconds: number;
  mbPerSecond: number;
  received: number;
  sha256Ok: boolean;
}

/** Everything the rounds of both targets share: the data, its digest, the receive buffer. */
export interface Shared {
  mib: number;
  block: Buffer;
  expected: string;
  into: Buffer;
}

/**
 * file: `mib` MiB from one client to another through the server, checked by sha256, `rounds`
 * times, alternating with the baseline's rounds when there is one (the best round of each is
 * the headline). The sender writes one 4096-byte chunk per `write()` and corks them in runs
 * of 16, as a client streaming a file would; against the `pipe` baseline the same 4096-byte
 * writes go, unframed, through a bare TCP relay. The data is one random MiB repeated, so the
 * expected digest is known before the clock starts; the receiver copies what arrives into
 * memory and hashes it once the clock has stopped, so that one load generator core is not
 * the bottleneck.
 */
export async function file(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const { mib = 256, rounds = 1 } = ctx.params;
  const shared = shareData(mib);
  const rigs = new Map<string, FileRig>();
  for (const target of ctx.targets) rigs.set(target.name, await rig(ctx, target, shared));
  const results = new Map<string, FileRound[]>(ctx.targets.map((t) => [t.name, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [name, one] of rigs) results.get(name)!.push(await one.round(r));
    }
  } finally {
    for (const one of rigs.values()) one.close();
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, list] of results) {
    const best = list.reduce((a, b) => (b.mbPerSecond > a.mbPerSecond ? b : a));
    out[name] = {
      bytes: mib * BLOCK,
      rounds: list,
      ...best,
      sha256Ok: list.every((x) => x.sha256Ok),
      finished: list.length === rounds,
    };
  }
  return out;
}

/** One MiB of random bytes repeated `mib` times: the digest is known before any clock runs. */
export function shareData(mib: number): Shared {
  const block = randomBytes(BLOCK);
  const expect = createHash('sha256');
  for (let i = 0; i < mib; i++) expect.update(block);
  return { mib, block, expected: expect.digest('hex'), into: Buffer.allocUnsafe(mib * BLOCK) };
}

/** A pair of connected ends that move the shared data once per `round`. */
export interface FileRig {
  round(r: number): Promise<FileRound>;
  close(): void;
}

/** The load generator's own sender and receiver (raw frames, or raw bytes for `pipe`). */
export async function rig(ctx: LoadContext, target: Target, shared: Shared): Promise<FileRig> {
  const { mib, block, expected, into } = shared;
  const size = mib * BLOCK;
  const chunks = size / CHUNK;
  const perBlock = BLOCK / CHUNK;
  const pipe = target.kind === 'pipe';

  let received = 0;
  let end = 0;
  let done: Deferred<void> = deferred();
  let accepted: Deferred<number> = deferred();
  const registered = deferred();
  let online = 0;
  const finish = (): void => {
    end = performance.now();
    done.resolve();
  };

  let source: Socket;
  let sink: Socket;
  if (pipe) {
    source = await open(target.host, target.port);
    sink = await open(target.host, target.port, (chunk: Buffer) => {
      // The pipe has no frames: a round ends when `size` bytes have come through.
      let at = 0;
      while (at < chunk.length && received < size) {
        const take = Math.min(size - received, chunk.length - at);
        chunk.copy(into, received, at, at + take);
        received += take;
        at += take;
        if (received === size) finish();
      }
    });
  } else {
    const onRegistered = (kind: number, buf: Buffer, p: number): boolean => {
      if (kind !== K.QUERY_USER || buf[p + 64] !== 1) return false;
      if (++online === 2) registered.resolve();
      return true;
    };
    source = await openFrames(
      target.host,
      target.port,
      (kind, buf, p, length) => {
        if (onRegistered(kind, buf, p)) return;
        if (kind === K.ACCEPT_FILE) accepted.resolve(readNegotiation(buf, p, length).id);
        else if (kind === K.REJECT_FILE) {
          accepted.reject(new Error('the server rejected the offer'));
        } else if (kind === K.ERR) {
          done.reject(new Error(`sender got ERR 0x${buf[p]!.toString(16)}`));
        }
      },
      target.tls,
    );
    sink = await openFrames(
      target.host,
      target.port,
      (kind, buf, p, length) => {
        if (kind === K.FILE_TRANSFER) {
          if (received + length - 3 <= size) buf.copy(into, received, p + 3, p + length);
          received += length - 3;
          if (buf[p + 2] === 1) finish();
        } else if (onRegistered(kind, buf, p)) {
          return;
        } else if (kind === K.OFFER_FILE) {
          sink.write(negotiationFrame(K.ACCEPT_FILE, readNegotiation(buf, p, length)));
        } else if (kind === K.ERR) {
          done.reject(new Error(`receiver got ERR 0x${buf[p]!.toString(16)}`));
        }
      },
      target.tls,
    );
    source.write(Buffer.concat([nameFrame(K.NEW_CLIENT, 'fsrc'), queryFrame('fsrc')]));
    sink.write(Buffer.concat([nameFrame(K.NEW_CLIENT, 'fdst'), queryFrame('fdst')]));
    await within(registered.promise, 10_000, 'both file clients registered');
  }

  // What goes on the wire for one round: the raw slices, or FILE_TRANSFER frames.
  const prepare = async (): Promise<{ frames: Buffer[]; last: Buffer }> => {
    const slices = Array.from({ length: perBlock }, (_, i) =>
      block.subarray(i * CHUNK, (i + 1) * CHUNK),
    );
    if (pipe) return { frames: slices, last: slices[perBlock - 1]! };
    accepted = deferred();
    const offer: Negotiation = { target: 'fdst', source: 'fsrc', id: 0, size, fileName: 'b.bin' };
    source.write(negotiationFrame(K.OFFER_FILE, offer));
    const id = await within(accepted.promise, 10_000, 'the offer accepted');
    return {
      frames: slices.map((s) => chunkFrame(id, s, false)),
      last: chunkFrame(id, slices[perBlock - 1]!, true),
    };
  };

  const round = async (r: number): Promise<FileRound> => {
    const { frames, last } = await prepare();
    received = 0;
    done = deferred();
    await ctx.mark(target.name, `start.${r}`);
    const start = performance.now();
    let i = 0;
    const write = (): void => {
      while (i < chunks) {
        source.cork();
        let ok = true;
        for (const stop = Math.min(chunks, i + CORK); i < stop; i++) {
          ok = source.write(i === chunks - 1 ? last : frames[i % perBlock]!);
        }
        source.uncork();
        if (!ok) {
          source.once('drain', write);
          return;
        }
      }
    };
    write();
    await within(done.promise, 120_000, `${mib} MiB transferred`);
    await ctx.mark(target.name, `end.${r}`);
    const seconds = (end - start) / 1000;
    const digest = createHash('sha256').update(into.subarray(0, Math.min(received, size)));
    return {
      seconds: round3(seconds),
      mbPerSecond: round3(size / 1e6 / seconds, 1),
      received,
      sha256Ok: digest.digest('hex') === expected,
    };
  };
  return {
    round,
    close(): void {
      source.destroy();
      sink.destroy();
    },
  };
}
