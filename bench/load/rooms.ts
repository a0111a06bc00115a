import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { portFor, type Target } from '../lib/ipc.js';
import { latency, round } from '../lib/stats.js';
import { type Deferred, deferred, destroyAll, type LoadContext, open, within } from './net.js';
import {
  digits,
  FrameScanner,
  HEARTBEAT,
  K,
  nameFrame,
  POST_TEXT_OFFSET,
  postFrameBytes,
  readDigits,
  sendFrameBytes,
  writeMessage,
} from './wire.js';

const SEQ_DIGITS = 8;
const PROBE = 90_000_000;

/** What one slice of the rooms load measured. */
interface Slice {
  seconds: number;
  posts: number;
  delivered: number;
  duplicated: number;
  samples: Float64Array;
  lag: Float64Array;
}

/**
 * rooms: `clients` clients spread over `rooms` rooms, each posting `rate` times a second, for
 * `seconds` in all. Posts go out on a fixed schedule (one every 1/(clients × rate) s, clients
 * taking turns), so the offered load does not depend on how fast the server answers. Latency
 * runs from the actual write; how late the writes were against the schedule is reported
 * too, so a late load generator cannot pass for a slow server. With a baseline target (a
 * server that echoes each buffer to its group, no protocol), the time is cut into `slices`
 * that alternate between the two, so both see the same noise from the rest of the machine.
 */
export async function rooms(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const { clients = 200, rooms = 20, rate = 10, seconds = 10, slices = 1 } = ctx.params;
  const rigs = new Map<string, Awaited<ReturnType<typeof rig>>>();
  for (const target of ctx.targets) rigs.set(target.name, await rig(ctx, target));
  const done = new Map<string, Slice[]>(ctx.targets.map((t) => [t.name, []]));
  try {
    for (let s = 0; s < slices; s++) {
      for (const [name, one] of rigs) done.get(name)!.push(await one.slice(s, seconds / slices));
    }
  } finally {
    for (const one of rigs.values()) one.close();
  }
  const out: Record<string, Record<string, unknown>> = {};
  const perRoom = clients / rooms;
  for (const [name, list] of done) {
    const sum = (f: (x: Slice) => number): number => list.reduce((n, x) => n + f(x), 0);
    const join = (f: (x: Slice) => Float64Array): Float64Array => {
      const all = new Float64Array(sum((x) => f(x).length));
      let at = 0;
      for (const x of list) {
        all.set(f(x), at);
        at += f(x).length;
      }
      return all;
    };
    const elapsed = sum((x) => x.seconds);
    const posts = sum((x) => x.posts);
    const delivered = sum((x) => x.delivered);
    const lateness = latency(join((x) => x.lag));
    out[name] = {
      ...ctx.params,
      posts,
      offeredDeliveriesPerSecond: Math.round(clients * rate * perRoom),
      elapsedSeconds: round(elapsed),
      deliveries: delivered,
      deliveriesPerSecond: Math.round(delivered / elapsed),
      lost: posts * perRoom - delivered,
      duplicated: sum((x) => x.duplicated),
      errors: rigs.get(name)!.errors,
      latencyMs: latency(join((x) => x.samples)),
      sendLagMs: { p99: lateness.p99, max: lateness.max },
    };
  }
  return out;
}

async function rig(ctx: LoadContext, target: Target) {
  const { clients = 200, rooms = 20, rate = 10, seconds = 10, textBytes = 100 } = ctx.params;
  const raw = target.kind !== 'protocol';
  const perRoom = clients / rooms;
  const posts = clients * rate * seconds;
  const spacingMs = 1000 / (clients * rate);
  const sendTime = new Float64Array(posts);
  const lag = new Float64Array(posts);
  const samples = new Float64Array(posts * perRoom);
  let sampled = 0;
  let delivered = 0;
  let duplicated = 0;
  let errors = 0;
  let expected = 0;
  let now = 0;
  let lastDelivery = 0;
  const listed = new Set<number>();
  const probesHeard = Array.from({ length: clients }, () => new Set<number>());
  const ready = deferred();
  let done: Deferred<void> = deferred();

  // The raw baseline echoes bytes to the group a connection was accepted into (its index
  // modulo the number of rooms), so it gets POST frames ready to be read.
  const roomOf = (c: number): string => `room${digits(c % rooms, 3)}`;
  const frameBytes = raw ? postFrameBytes(textBytes) : sendFrameBytes(textBytes);
  const frames = Buffer.allocUnsafe(posts * frameBytes);
  for (let p = 0; p < posts; p++) {
    const c = p % clients;
    const from = raw ? `r${digits(c, 4)}` : undefined;
    writeMessage(frames, p * frameBytes, roomOf(c), digits(p, SEQ_DIGITS), textBytes, from);
  }

  const seen = Array.from({ length: clients }, () => new Uint8Array(posts));
  const sockets: Socket[] = [];
  for (let c = 0; c < clients; c++) {
    const mine = seen[c]!;
    const scanner = new FrameScanner((kind, buf, p, length) => {
      if (kind === K.POST_MESSAGE) {
        const seq = readDigits(buf, p + POST_TEXT_OFFSET, SEQ_DIGITS);
        if (seq >= PROBE) {
          probesHeard[c]!.add(seq - PROBE);
          if (probesHeard[c]!.size === perRoom) listed.add(c);
          if (listed.size === clients) ready.resolve();
          return;
        }
        if (mine[seq] === 1) {
          duplicated++;
          return;
        }
        mine[seq] = 1;
        samples[sampled++] = now - sendTime[seq]!;
        lastDelivery = now;
        if (++delivered === expected) done.resolve();
      } else if (kind === K.USER_LISTING) {
        if ((length - 64) / 64 === perRoom) listed.add(c);
        if (listed.size === clients) ready.resolve();
      } else if (kind === K.ERR) {
        errors++;
        ready.reject(new Error(`client ${c} got ERR 0x${buf[p]!.toString(16)}`));
      }
    });
    const socket = await open(target.host, portFor(target, c), (chunk: Buffer) => {
      now = performance.now();
      scanner.push(chunk);
    });
    if (!raw) {
      const hello = [
        nameFrame(K.NEW_CLIENT, `r${digits(c, 4)}`),
        nameFrame(K.ENTER_ROOM, roomOf(c)),
      ];
      socket.write(Buffer.concat(hello));
    }
    sockets.push(socket);
  }
  if (raw) {
    // Every client probes until each has heard every member of its group, itself included.
    const probes = sockets.map((_, c) => {
      const probe = Buffer.allocUnsafe(frameBytes);
      writeMessage(probe, 0, roomOf(c), digits(PROBE + c, SEQ_DIGITS), textBytes, 'probe');
      return probe;
    });
    const probing = setInterval(() => {
      for (const [c, s] of sockets.entries()) s.write(probes[c]!);
    }, 50);
    try {
      await within(ready.promise, 10_000, `${clients} clients hearing their whole group`);
    } finally {
      clearInterval(probing);
    }
  } else {
    await within(
      ready.promise,
      20_000,
      `${clients} clients registered and listed in ${rooms} rooms`,
    );
  }

  let next = 0;
  const slice = async (s: number, sliceSeconds: number): Promise<Slice> => {
    const first = next;
    const last = Math.min(posts, first + Math.round(clients * rate * sliceSeconds));
    const from = sampled;
    const deliveredBefore = delivered;
    const duplicatedBefore = duplicated;
    expected = delivered + (last - first) * perRoom;
    done = deferred();
    await ctx.mark(target.name, `start.${s}`);
    const start = performance.now();
    let beat = 0;
    const tick = (): void => {
      const t = performance.now();
      while (next < last && start + (next - first) * spacingMs <= t) {
        sendTime[next] = t;
        lag[next] = t - (start + (next - first) * spacingMs);
        sockets[next % clients]!.write(frames.subarray(next * frameBytes, (next + 1) * frameBytes));
        next++;
      }
      if (next === last) clearInterval(timer);
    };
    const timer = setInterval(tick, 1);
    // Posting clients are alive by definition; heartbeats are for the protocol's sake.
    const heartbeat = raw
      ? undefined
      : setInterval(() => sockets[beat++ % clients]!.write(HEARTBEAT), 4_000 / clients);
    tick();
    const deadline = setTimeout(() => done.resolve(), sliceSeconds * 1000 + 5_000);
    await done.promise;
    clearTimeout(deadline);
    clearInterval(timer);
    clearInterval(heartbeat);
    const end = delivered === expected ? lastDelivery : performance.now();
    await ctx.mark(target.name, `end.${s}`);
    return {
      seconds: (end - start) / 1000,
      posts: next - first,
      delivered: delivered - deliveredBefore,
      duplicated: duplicated - duplicatedBefore,
      samples: samples.slice(from, sampled),
      lag: lag.slice(first, next),
    };
  };
  return {
    slice,
    close: () => destroyAll(sockets),
    get errors() {
      return errors;
    },
  };
}
