import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Target } from '../lib/ipc.js';
import { latency, round } from '../lib/stats.js';
import {
  type Deferred,
  deferred,
  destroyAll,
  hold,
  type LoadContext,
  mainTarget,
  open,
} from './net.js';
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

const ROOM = 'big';
const SEQ_DIGITS = 8;
const NAME = 64;
const LEAVE_ROOM = 0x05;

/** A deferred whose rejection nobody has to await (a member may drop between phases). */
function settledLater(): Deferred<void> {
  const d = deferred();
  d.promise.catch(() => {});
  return d;
}

/** One client of the big room, as the load generator tracks it. */
interface Member {
  index: number;
  name: Buffer;
  socket: Socket | null;
  /** Confirmed in the room: a listing that names it arrived since it (re-)entered. */
  joined: boolean;
  entered: Deferred<void>;
  enteredAt: number;
  /** Members in the last USER_LISTING it got. */
  lastCount: number;
  /** Stable members must get every post; churners may miss those sent while they were out. */
  stable: boolean;
  closedByServer: boolean;
}

/** Everything the room's clients received, summed. */
interface Totals {
  listingBytes: number;
  listings: number;
  delivered: number;
  stableDelivered: number;
  duplicated: number;
  errors: number;
  disconnected: number;
}

/**
 * A room of `members` clients on one server: filled `concurrency` joins at a time (each a
 * new connection, NEW_CLIENT and ENTER_ROOM, done once a USER_LISTING naming it arrives),
 * then driven by the phases below. Listings are skimmed (their headers counted, their bodies
 * skipped) except the first after each entry, which is checked for the member's own name.
 */
class BigRoom {
  readonly members: Member[] = [];
  readonly totals: Totals = {
    listingBytes: 0,
    listings: 0,
    delivered: 0,
    stableDelivered: 0,
    duplicated: 0,
    errors: 0,
    disconnected: 0,
  };
  /** Send time of each post by sequence number, and who got which (bit per member). */
  sendTime = new Float64Array(0);
  seen: Uint8Array[] = [];
  samples = new Float64Array(0);
  sampled = 0;
  /** Called with a post's sequence number each time a stable member receives it. */
  onStable: (seq: number) => void = () => {};
  #now = 0;
  #closing = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    readonly target: Target,
    readonly size: number,
    stableCount: number,
  ) {
    for (let i = 0; i < size; i++) {
      this.members.push({
        index: i,
        name: Buffer.from(`u${digits(i, 5)}`, 'latin1'),
        socket: null,
        joined: false,
        entered: settledLater(),
        enteredAt: 0,
        lastCount: 0,
        stable: i < stableCount,
        closedByServer: false,
      });
    }
    // Every client beats every 4 s, spread evenly, whatever phase the room is in.
    let beat = 0;
    this.#heartbeat = setInterval(() => {
      const n = Math.ceil(size / 80);
      for (let i = 0; i < n; i++) this.members[beat++ % size]!.socket?.write(HEARTBEAT);
    }, 50);
  }

  /** Prepares the per-post bookkeeping for `posts` posts. */
  expectPosts(posts: number): void {
    this.sendTime = new Float64Array(posts);
    this.seen = this.members.map(() => new Uint8Array(posts));
    this.samples = new Float64Array(posts * this.size);
    this.sampled = 0;
  }

  /** Connects, registers and enters every member, `concurrency` at a time. */
  async fill(concurrency: number): Promise<number> {
    const start = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.size) {
        const m = this.members[next++]!;
        await this.#connect(m);
        this.enter(m);
        await m.entered.promise;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - start;
  }

  /** Sends ENTER_ROOM for `m`; `m.entered` resolves once a listing names it. */
  enter(m: Member): void {
    m.joined = false;
    m.entered = settledLater();
    m.enteredAt = performance.now();
    m.socket!.write(nameFrame(K.ENTER_ROOM, ROOM));
  }

  /** Sends LEAVE_ROOM for `m`. */
  leave(m: Member): void {
    m.joined = false;
    m.socket!.write(nameFrame(LEAVE_ROOM, ROOM));
  }

  /** Resolves once every member's last listing shows the whole room; false on timeout. */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.members.some((m) => m.lastCount !== this.size)) {
      if (performance.now() > deadline) return false;
      await hold(20);
    }
    return true;
  }

  close(): void {
    this.#closing = true;
    clearInterval(this.#heartbeat);
    destroyAll(this.members.flatMap((m) => (m.socket === null ? [] : [m.socket])));
  }

  async #connect(m: Member): Promise<void> {
    const scanner = new FrameScanner(
      (kind, buf, p, length) => this.#frame(m, kind, buf, p, length),
      (kind, length) => {
        if (kind !== K.USER_LISTING) return true;
        this.totals.listingBytes += 5 + length;
        this.totals.listings++;
        m.lastCount = (length - NAME) / NAME;
        // Only the first listing after an entry is read, to find the member's own name.
        return !m.joined;
      },
    );
    const socket = await open(this.target.host, this.target.port, (chunk) => {
      this.#now = performance.now();
      scanner.push(chunk);
    });
    socket.on('close', () => {
      if (this.#closing) return;
      m.closedByServer = true;
      this.totals.disconnected++;
      m.entered.reject(new Error(`member ${m.index} was disconnected by the server`));
    });
    m.socket = socket;
    const name = nameFrame(K.NEW_CLIENT, m.name.toString('latin1'));
    socket.write(name);
  }

  #frame(m: Member, kind: number, buf: Buffer, p: number, length: number): void {
    if (kind === K.POST_MESSAGE) {
      const seq = readDigits(buf, p + POST_TEXT_OFFSET, SEQ_DIGITS);
      const seen = this.seen[m.index]!;
      if (seen[seq] === 1) {
        this.totals.duplicated++;
        return;
      }
      seen[seq] = 1;
      this.samples[this.sampled++] = this.#now - this.sendTime[seq]!;
      this.totals.delivered++;
      if (m.stable) {
        this.totals.stableDelivered++;
        this.onStable(seq);
      }
    } else if (kind === K.USER_LISTING) {
      // The member's own name is near the end (names are in join order): search backwards.
      for (let at = p + length - NAME; at >= p + NAME; at -= NAME) {
        if (
          buf.compare(m.name, 0, m.name.length, at, at + m.name.length) === 0 &&
          buf[at + m.name.length] === 0
        ) {
          m.joined = true;
          m.entered.resolve();
          return;
        }
      }
    } else if (kind === K.ERR) {
      this.totals.errors++;
      m.entered.reject(new Error(`member ${m.index} got ERR 0x${buf[p]!.toString(16)}`));
    }
  }
}

/** Encoded SEND_MESSAGEs to the big room, sequence-numbered. */
function postFrames(posts: number, textBytes: number): Buffer[] {
  const size = sendFrameBytes(textBytes);
  return Array.from({ length: posts }, (_, seq) => {
    const buf = Buffer.allocUnsafe(size);
    writeMessage(buf, 0, ROOM, digits(seq, SEQ_DIGITS), textBytes);
    return buf;
  });
}

/**
 * One sender posts `posts` messages with at most `window` in flight (a post is in flight
 * until every member has it). Resolves with the seconds it took, or on a stall.
 */
async function postWindowed(room: BigRoom, posts: number, window: number, textBytes: number) {
  const frames = postFrames(posts, textBytes);
  const sender = room.members[0]!.socket!;
  room.expectPosts(posts);
  const counts = new Uint32Array(posts);
  let next = 0;
  let completed = 0;
  let progressAt = performance.now();
  const done = deferred();
  const send = (): void => {
    while (next < posts && next - completed < window) {
      room.sendTime[next] = performance.now();
      sender.write(frames[next]!);
      next++;
    }
  };
  room.onStable = (seq) => {
    progressAt = performance.now();
    if (++counts[seq]! === room.size) {
      completed++;
      if (completed === posts) done.resolve();
      else send();
    }
  };
  const start = performance.now();
  send();
  const watchdog = setInterval(() => {
    if (performance.now() - progressAt > 10_000) done.resolve();
  }, 250);
  await done.promise;
  clearInterval(watchdog);
  return { seconds: (performance.now() - start) / 1000, completed };
}

/**
 * big-room: for each size in turn (`members`, then `members2` if set) on the same server, a
 * room is filled `concurrency` joins at a time, then one member posts `posts` messages with a
 * window of `window`. Reports the time to fill, the USER_LISTING bytes the clients received
 * (and the server's own count), deliveries lost and duplicated, members disconnected; server
 * CPU and RSS come from the marks around each phase.
 */
export async function bigRoom(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const target = mainTarget(ctx);
  const { members = 2000, members2 = 0, concurrency = 64, posts = 200, window = 100 } = ctx.params;
  const { textBytes = 100 } = ctx.params;
  const sizes = members2 > 0 ? [members, members2] : [members];
  const out: Record<string, unknown> = { ...ctx.params };
  const results: Record<string, unknown>[] = [];
  for (const size of sizes) {
    const room = new BigRoom(target, size, size);
    try {
      await ctx.mark(target.name, `start.fill${size}`, true);
      let fillMs: number;
      try {
        fillMs = await room.fill(concurrency);
      } catch (err) {
        results.push({ size, failed: (err as Error).message, ...room.totals });
        throw err;
      }
      const filled = await ctx.mark(target.name, `end.fill${size}`);
      const settleStart = performance.now();
      const settled = await room.settled(60_000);
      const settleMs = performance.now() - settleStart;
      const listingBytesAtFill = room.totals.listingBytes;
      await ctx.mark(target.name, `start.posts${size}`);
      const posting = await postWindowed(room, posts, window, textBytes);
      const ended = await ctx.mark(target.name, `end.posts${size}`);
      const expected = posts * size;
      results.push({
        size,
        fillSeconds: round(fillMs / 1000),
        settledSeconds: settled ? round(settleMs / 1000) : null,
        listingBytesReceived: room.totals.listingBytes,
        listingBytesDuringFill: listingBytesAtFill,
        listingsReceived: room.totals.listings,
        serverListingBytes: ended?.stats?.listingBytesOut ?? null,
        postSeconds: round(posting.seconds),
        deliveries: room.totals.delivered,
        deliveriesPerSecond: Math.round(room.totals.delivered / posting.seconds),
        lost: expected - room.totals.delivered,
        duplicated: room.totals.duplicated,
        disconnected: room.totals.disconnected,
        errors: room.totals.errors,
        latencyMs: latency(room.samples.subarray(0, room.sampled)),
        serverRssAtFillMB: filled ? round(filled.rss / 1e6, 1) : null,
        serverPeakRssMB: ended?.maxRss ? round(ended.maxRss / 1e6, 1) : null,
      });
    } finally {
      room.close();
    }
    // Let the server see every close before the next size fills a fresh room.
    for (let i = 0; i < 200; i++) {
      const usage = await ctx.mark(target.name, `drain${size}.${i}`);
      if ((usage?.stats?.users ?? 0) === 0) break;
      await hold(50);
    }
  }
  out.sizes = results;
  return { [target.name]: out };
}

/**
 * churn: a room of `members` is filled, then for `seconds` one member leaves every
 * 1/`rate` s and comes back a second later (churners are the second half of the room), while
 * a stable member posts `postRate` messages a second. Reports post latency over every
 * delivery, how long each re-entry took to be confirmed, and posts lost to stable members.
 */
export async function churn(ctx: LoadContext): Promise<Record<string, Record<string, unknown>>> {
  const target = mainTarget(ctx);
  const { members = 5000, concurrency = 64, seconds = 20, rate = 50, postRate = 20 } = ctx.params;
  const { textBytes = 100 } = ctx.params;
  const stableCount = Math.floor(members / 2);
  const room = new BigRoom(target, members, stableCount);
  try {
    const fillMs = await room.fill(concurrency);
    const settled = await room.settled(120_000);
    const posts = Math.round(seconds * postRate);
    const frames = postFrames(posts, textBytes);
    room.expectPosts(posts);
    const sender = room.members[0]!.socket!;
    const listingBytesBefore = room.totals.listingBytes;
    const reentry: number[] = [];
    const rejoins: Promise<void>[] = [];
    await ctx.mark(target.name, 'start.churn');
    const start = performance.now();
    let sent = 0;
    let churned = 0;
    let lag = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const t = performance.now() - start;
        while (sent < posts && sent * (1000 / postRate) <= t) {
          room.sendTime[sent] = performance.now();
          sender.write(frames[sent]!);
          sent++;
        }
        while (churned < seconds * rate && churned * (1000 / rate) <= t) {
          lag = Math.max(lag, t - churned * (1000 / rate));
          const m = room.members[stableCount + (churned % (members - stableCount))]!;
          churned++;
          room.leave(m);
          setTimeout(() => {
            room.enter(m);
            const at = m.enteredAt;
            rejoins.push(m.entered.promise.then(() => void reentry.push(performance.now() - at)));
          }, 1_000);
        }
        if (sent === posts && churned >= seconds * rate) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    await Promise.race([Promise.allSettled(rejoins), hold(15_000)]);
    // Posts still in flight get time to land.
    const expectedStable = posts * stableCount;
    const deadline = performance.now() + 15_000;
    while (room.totals.stableDelivered < expectedStable && performance.now() < deadline)
      await hold(20);
    const churnSeconds = (performance.now() - start) / 1000;
    const ended = await ctx.mark(target.name, 'end.churn');
    const finalSettled = await room.settled(60_000);
    return {
      [target.name]: {
        ...ctx.params,
        fillSeconds: round(fillMs / 1000),
        settledAfterFill: settled,
        churnSeconds: round(churnSeconds),
        churnEvents: churned,
        scheduleLagMaxMs: round(lag),
        posts,
        deliveries: room.totals.delivered,
        stableLost: expectedStable - room.totals.stableDelivered,
        duplicated: room.totals.duplicated,
        disconnected: room.totals.disconnected,
        errors: room.totals.errors,
        latencyMs: latency(room.samples.subarray(0, room.sampled)),
        reentryMs: latency(Float64Array.from(reentry)),
        reentriesConfirmed: reentry.length,
        listingBytesDuringChurn: room.totals.listingBytes - listingBytesBefore,
        serverListingBytes: ended?.stats?.listingBytesOut ?? null,
        serverPeakRssMB: ended?.maxRss ? round(ended.maxRss / 1e6, 1) : null,
        lastListingsCurrent: finalSettled,
      },
    };
  } finally {
    room.close();
  }
}
