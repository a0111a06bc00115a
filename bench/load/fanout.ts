import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { portFor, type Target } from '../lib/ipc.js';
import { type Latency, latency, round as round3 } from '../lib/stats.js';
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

const ROOM = 'bench';
const SEQ_DIGITS = 8;
const PROBE = 99_999_999;

/** The figures of one round of the fanout scenario. */
export interface FanoutRound {
  seconds: number;
  deliveries: number;
  deliveriesPerSecond: number;
  lost: number;
  duplicated: number;
  stalled: boolean;
  latencyMs: Latency;
}

/** One target's fanout set-up: its connections, and a way to run one measured round. */
interface Rig {
  round(r: number): Promise<FanoutRound>;
  close(): void;
  readonly errors: number;
}

/**
 * fanout: `members` clients in one room, one of them posts `posts` messages of `textBytes`
 * with at most `window` in flight (a post is in flight until every member has it), `rounds`
 * times over the same connections. With a baseline target too, the rounds alternate between
 * the two, so both meet the same noise; each side's best round is its headline (noise on a
 * shared machine only ever slows a round down). Against the raw-fanout baseline the same
 * POST bytes go to a server that copies them, unparsed, to every other connection.
 */
export async function fanout(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const { rounds = 1 } = ctx.params;
  const rigs = new Map<string, Rig>();
  for (const target of ctx.targets) rigs.set(target.name, await rig(ctx, target));
  const results = new Map<string, FanoutRound[]>(ctx.targets.map((t) => [t.name, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [name, one] of rigs) {
        const result = await one.round(r);
        results.get(name)!.push(result);
        if (result.stalled) throw new Error(`${name}: round ${r} stalled with ${result.lost} lost`);
      }
    }
  } finally {
    for (const one of rigs.values()) one.close();
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, list] of results) {
    const best = list.reduce((a, b) => (b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a));
    out[name] = {
      ...ctx.params,
      rounds: list,
      ...best,
      lost: list.reduce((n, x) => n + x.lost, 0),
      duplicated: list.reduce((n, x) => n + x.duplicated, 0),
      errors: rigs.get(name)!.errors,
    };
  }
  return out;
}

async function rig(ctx: LoadContext, target: Target): Promise<Rig> {
  const { members = 50, posts = 20_000, window = 100, textBytes = 100 } = ctx.params;
  const raw = target.kind === 'raw-fanout';
  // The sender's own copy counts in relaykit; the raw baseline copies to the others only.
  const perPost = raw ? members - 1 : members;
  const sendTime = new Float64Array(posts);
  const count = new Uint8Array(posts);
  const samples = new Float64Array(posts * perPost);
  const seen = Array.from({ length: members }, () => new Uint8Array(posts));
  let sampled = 0;
  let delivered = 0;
  let duplicated = 0;
  let completed = 0;
  let sent = 0;
  let now = 0;
  let lastDelivery = 0;
  let errors = 0;
  const listed = new Set<number>();
  const ready = deferred();
  let done: Deferred<void> = deferred();
  let probing = raw;
  // Posts go out only inside a measured round, never on a stray frame before it starts.
  let running = false;

  const frameBytes = raw ? postFrameBytes(textBytes) : sendFrameBytes(textBytes);
  const frames = Buffer.allocUnsafe(posts * frameBytes);
  for (let i = 0; i < posts; i++) {
    const tag = digits(i, SEQ_DIGITS);
    writeMessage(frames, i * frameBytes, ROOM, tag, textBytes, raw ? 'm00' : undefined);
  }
  const probe = Buffer.allocUnsafe(postFrameBytes(textBytes));
  writeMessage(probe, 0, ROOM, digits(PROBE, SEQ_DIGITS), textBytes, 'm00');

  const sinkFor = (member: number) => {
    const mine = seen[member]!;
    return (kind: number, buf: Buffer, p: number, length: number): void => {
      if (kind === K.POST_MESSAGE) {
        const seq = readDigits(buf, p + POST_TEXT_OFFSET, SEQ_DIGITS);
        if (seq >= posts) {
          if (probing) listed.add(member);
          if (listed.size === perPost) ready.resolve();
          return;
        }
        if (mine[seq] === 1) {
          duplicated++;
          return;
        }
        mine[seq] = 1;
        delivered++;
        lastDelivery = now;
        samples[sampled++] = now - sendTime[seq]!;
        if (++count[seq] === perPost) completed++;
      } else if (kind === K.USER_LISTING) {
        if ((length - 64) / 64 === members) listed.add(member);
        if (listed.size === members) ready.resolve();
      } else if (kind === K.ERR) {
        errors++;
        ready.reject(new Error(`member ${member} got ERR 0x${buf[p]!.toString(16)}`));
      }
    };
  };

  const pump = (): void => {
    if (completed === posts) {
      done.resolve();
      return;
    }
    const limit = Math.min(posts, completed + window);
    if (sent >= limit) return;
    const t = performance.now();
    sendTime.fill(t, sent, limit);
    sender.write(frames.subarray(sent * frameBytes, limit * frameBytes));
    sent = limit;
  };

  const sockets: Socket[] = [];
  for (let m = 0; m < members; m++) {
    const scanner = new FrameScanner(sinkFor(m));
    // Every frame in a chunk shares one clock reading; the sender is pumped after each chunk.
    const socket = await open(
      target.host,
      portFor(target, m),
      (chunk: Buffer) => {
        now = performance.now();
        scanner.push(chunk);
        if (running) pump();
      },
      target.tls,
    );
    sockets.push(socket);
  }
  const sender = sockets[0]!;

  if (raw) {
    // The raw server cannot say when it has every socket: probe until all the others hear.
    const timer = setInterval(() => sender.write(probe), 20);
    sender.write(probe);
    await within(ready.promise, 10_000, 'raw-fanout baseline readiness');
    clearInterval(timer);
  } else {
    for (const [m, s] of sockets.entries()) {
      s.write(
        Buffer.concat([nameFrame(K.NEW_CLIENT, `m${digits(m, 2)}`), nameFrame(K.ENTER_ROOM, ROOM)]),
      );
    }
    await within(ready.promise, 20_000, `${members} members registered and listed in one room`);
  }
  probing = false;

  const round = async (r: number): Promise<FanoutRound> => {
    // Members only listen: a heartbeat each round keeps the server from dropping them as
    // silent while the other target's rounds run (a slow TLS round made that gap long).
    if (!raw) for (const s of sockets) s.write(HEARTBEAT);
    count.fill(0);
    for (const s of seen) s.fill(0);
    sampled = delivered = duplicated = completed = sent = 0;
    done = deferred();
    await ctx.mark(target.name, `start.${r}`);
    const start = performance.now();
    running = true;
    let stalled = false;
    let lastCompleted = -1;
    const watchdog = setInterval(() => {
      if (completed === lastCompleted) {
        stalled = true;
        done.resolve();
      }
      lastCompleted = completed;
    }, 5_000);
    pump();
    await done.promise;
    running = false;
    clearInterval(watchdog);
    await ctx.mark(target.name, `end.${r}`);
    const seconds = ((stalled ? performance.now() : lastDelivery) - start) / 1000;
    return {
      seconds: round3(seconds),
      deliveries: delivered,
      deliveriesPerSecond: Math.round(delivered / seconds),
      lost: posts * perPost - delivered,
      duplicated,
      stalled,
      latencyMs: latency(samples.subarray(0, sampled)),
    };
  };
  return {
    round,
    close: () => destroyAll(sockets),
    get errors() {
      return errors;
    },
  };
}
