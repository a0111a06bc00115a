import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Latency, latency, round } from '../lib/stats.js';
import { type Deferred, deferred, destroyAll, type LoadContext, open, within } from './net.js';
import {
  digits,
  FrameScanner,
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

/**
 * fanout: `members` clients in one room, one of them posts `posts` messages of `textBytes`
 * with at most `window` in flight (a post is in flight until every member has it), `rounds`
 * times over the same connections; the best round is the headline (noise on a shared
 * machine only ever slows a round down). Against the raw-fanout baseline the same POST bytes
 * go to a server that copies them, unparsed, to every other connection.
 */
export async function fanout(ctx: LoadContext): Promise<Record<string, unknown>> {
  const { members = 50, posts = 20_000, window = 100, textBytes = 100, rounds = 1 } = ctx.params;
  const raw = ctx.target === 'raw-fanout';
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
    const socket = await open(ctx.host, ctx.port);
    // Every frame in a chunk shares one clock reading; the sender is pumped after each chunk.
    socket.on('data', (chunk: Buffer) => {
      now = performance.now();
      scanner.push(chunk);
      if (running) pump();
    });
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

  const results: FanoutRound[] = [];
  for (let r = 0; r < rounds; r++) {
    count.fill(0);
    for (const s of seen) s.fill(0);
    sampled = delivered = duplicated = completed = sent = 0;
    done = deferred();
    await ctx.mark(`start.${r}`);
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
    await ctx.mark(`end.${r}`);
    const seconds = ((stalled ? performance.now() : lastDelivery) - start) / 1000;
    results.push({
      seconds: round(seconds),
      deliveries: delivered,
      deliveriesPerSecond: Math.round(delivered / seconds),
      lost: posts * perPost - delivered,
      duplicated,
      stalled,
      latencyMs: latency(samples.subarray(0, sampled)),
    });
    if (stalled) break;
  }
  destroyAll(sockets);

  const best = results.reduce((a, b) => (b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a));
  return {
    members,
    posts,
    window,
    textBytes,
    perPost,
    rounds: results,
    ...best,
    lost: results.reduce((n, x) => n + x.lost, 0),
    duplicated: results.reduce((n, x) => n + x.duplicated, 0),
    errors,
  };
}
