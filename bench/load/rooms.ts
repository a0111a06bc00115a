import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { latency, round } from '../lib/stats.js';
import { deferred, destroyAll, type LoadContext, mainTarget, open, within } from './net.js';
import {
  digits,
  FrameScanner,
  HEARTBEAT,
  K,
  nameFrame,
  POST_TEXT_OFFSET,
  readDigits,
  sendFrameBytes,
  writeMessage,
} from './wire.js';

const SEQ_DIGITS = 8;

/**
 * rooms: `clients` clients spread over `rooms` rooms, each posting `rate` times a second for
 * `seconds`. Posts are sent on a fixed schedule (one every 1/(clients × rate) s, clients
 * taking turns), so the offered load does not depend on how fast the server answers.
 * Latency runs from the actual write; how late the writes were against the schedule is
 * reported too, so a late load generator cannot hide as a fast server.
 */
export async function rooms(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const target = mainTarget(ctx);
  const { clients = 200, rooms = 20, rate = 10, seconds = 10, textBytes = 100 } = ctx.params;
  const perRoom = clients / rooms;
  const posts = clients * rate * seconds;
  const spacingMs = 1000 / (clients * rate);
  const expected = posts * perRoom;
  const sendTime = new Float64Array(posts);
  const lag = new Float64Array(posts);
  const samples = new Float64Array(expected);
  let sampled = 0;
  let delivered = 0;
  let duplicated = 0;
  let errors = 0;
  let now = 0;
  let lastDelivery = 0;
  const listed = new Set<number>();
  const ready = deferred();
  const done = deferred();

  const roomOf = (c: number): string => `room${digits(c % rooms, 3)}`;
  const frameBytes = sendFrameBytes(textBytes);
  const frames = Buffer.allocUnsafe(posts * frameBytes);
  for (let p = 0; p < posts; p++) {
    writeMessage(frames, p * frameBytes, roomOf(p % clients), digits(p, SEQ_DIGITS), textBytes);
  }

  const sockets: Socket[] = [];
  for (let c = 0; c < clients; c++) {
    const seen = new Uint8Array(posts);
    const scanner = new FrameScanner((kind, buf, p, length) => {
      if (kind === K.POST_MESSAGE) {
        const seq = readDigits(buf, p + POST_TEXT_OFFSET, SEQ_DIGITS);
        if (seen[seq] === 1) {
          duplicated++;
          return;
        }
        seen[seq] = 1;
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
    const socket = await open(target.host, target.port);
    socket.on('data', (chunk: Buffer) => {
      now = performance.now();
      scanner.push(chunk);
    });
    socket.write(
      Buffer.concat([
        nameFrame(K.NEW_CLIENT, `r${digits(c, 4)}`),
        nameFrame(K.ENTER_ROOM, roomOf(c)),
      ]),
    );
    sockets.push(socket);
  }
  await within(ready.promise, 20_000, `${clients} clients registered and listed in ${rooms} rooms`);

  await ctx.mark(target.name, 'start');
  const start = performance.now();
  let next = 0;
  let beat = 0;
  const tick = (): void => {
    const t = performance.now();
    while (next < posts && start + next * spacingMs <= t) {
      sendTime[next] = t;
      lag[next] = t - (start + next * spacingMs);
      sockets[next % clients]!.write(frames.subarray(next * frameBytes, (next + 1) * frameBytes));
      next++;
    }
    if (next === posts) clearInterval(timer);
  };
  const timer = setInterval(tick, 1);
  // Posting clients are alive by definition; heartbeats are only for the idle stretches.
  const heartbeat = setInterval(() => sockets[beat++ % clients]!.write(HEARTBEAT), 4_000 / clients);
  tick();
  const deadline = setTimeout(() => done.resolve(), seconds * 1000 + 5_000);
  await done.promise;
  clearTimeout(deadline);
  clearInterval(timer);
  clearInterval(heartbeat);
  const end = delivered === expected ? lastDelivery : performance.now();
  await ctx.mark(target.name, 'end');
  destroyAll(sockets);

  const elapsed = (end - start) / 1000;
  const lateness = latency(lag.subarray(0, next));
  return {
    [target.name]: {
      clients,
      rooms,
      rate,
      seconds,
      textBytes,
      posts: next,
      offeredDeliveriesPerSecond: Math.round(clients * rate * perRoom),
      elapsedSeconds: round(elapsed),
      deliveries: delivered,
      deliveriesPerSecond: Math.round(delivered / elapsed),
      lost: next * perRoom - delivered,
      duplicated,
      errors,
      latencyMs: latency(samples.subarray(0, sampled)),
      sendLagMs: { p99: lateness.p99, max: lateness.max },
    },
  };
}
