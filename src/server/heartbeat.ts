import { encode, frames } from '../protocol/index.js';
import type { ServerSession } from './session.js';

const HEARTBEAT = encode(frames.heartbeat());

/**
 * Heartbeats written per turn of the event loop. Each is a socket write of its own (~10 µs):
 * 200 clients' in one turn held every post that arrived meanwhile for a few milliseconds,
 * once per interval, which was a good part of a light load's p999.
 */
const HEARTBEATS_PER_TURN = 32;

/**
 * One shared interval for every connection: each tick sends a heartbeat to every registered
 * client and ends those silent for longer than the timeout (§5.6). It also ends a receiver that
 * has held an offerer paused (CLARIFICATIONS §6.9) for longer than the timeout without draining:
 * a peer that reads nothing for that long is as stuck as one that says nothing, and the
 * offerer, which the server cannot hear meanwhile, must not be held forever. No timer per
 * connection.
 */
export class HeartbeatSweeper {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #sessions: () => Iterable<ServerSession>;
  readonly #silent: (session: ServerSession, silentMs: number) => void;
  readonly #stalled: (session: ServerSession, stalledMs: number) => void;
  #timer: NodeJS.Timeout | null = null;
  /** Sessions whose heartbeat of this sweep is still to be written, from `#next` on. */
  #due: ServerSession[] = [];
  #next = 0;
  #immediate: NodeJS.Immediate | null = null;

  constructor(options: {
    intervalMs: number;
    timeoutMs: number;
    sessions: () => Iterable<ServerSession>;
    silent: (session: ServerSession, silentMs: number) => void;
    /** A receiver has kept offerers paused, without draining, for longer than the timeout. */
    stalled: (session: ServerSession, stalledMs: number) => void;
  }) {
    this.#intervalMs = options.intervalMs;
    this.#timeoutMs = options.timeoutMs;
    this.#sessions = options.sessions;
    this.#silent = options.silent;
    this.#stalled = options.stalled;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.sweep(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#immediate = null;
    this.#due = [];
    this.#next = 0;
  }

  /**
   * One tick: silent and stalled clients off, heartbeats out. The heartbeats go
   * `HEARTBEATS_PER_TURN` at a time, one batch per turn of the event loop, so that posts read
   * meanwhile are not held behind hundreds of writes.
   */
  sweep(): void {
    // A sweep that finds the last one's heartbeats still going (a huge server) sends them now.
    if (this.#immediate !== null) {
      clearImmediate(this.#immediate);
      this.#beat(this.#due.length);
    }
    const due: ServerSession[] = [];
    const now = Date.now();
    for (const session of this.#sessions()) {
      const silentMs = now - session.conn.lastReceivedAt;
      // An offerer paused for backpressure is silent because the server stopped reading it.
      if (silentMs > this.#timeoutMs && session.blockedOn.size === 0 && session.remoteWaits === 0) {
        this.#silent(session, silentMs);
        continue;
      }
      const holdingSince = session.holdingSince;
      if (holdingSince !== null && now - holdingSince > this.#timeoutMs) {
        this.#stalled(session, now - holdingSince);
        continue;
      }
      due.push(session);
    }
    this.#due = due;
    this.#next = 0;
    this.#beat(HEARTBEATS_PER_TURN);
  }

  #beat(count: number): void {
    this.#immediate = null;
    const due = this.#due;
    const end = Math.min(due.length, this.#next + count);
    for (let i = this.#next; i < end; i++) {
      const session = due[i]!;
      if (session.state === 'registered') session.sendRaw(HEARTBEAT);
    }
    this.#next = end;
    if (end < due.length) {
      this.#immediate = setImmediate(() => this.#beat(HEARTBEATS_PER_TURN));
    } else {
      this.#due = [];
      this.#next = 0;
    }
  }
}

/**
 * Registration deadlines with a single timer, armed for the earliest one; each firing ends
 * every expired connection in one pass. Connections arrive nearly in accept order, but not
 * quite (a TLS handshake takes its own time), so the pass checks them all: there are only as
 * many as are between accept and NEW_CLIENT.
 */
export class RegistrationDeadlines {
  readonly #timeoutMs: number;
  readonly #expired: (session: ServerSession) => void;
  readonly #pending = new Set<ServerSession>();
  #timer: NodeJS.Timeout | null = null;
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(timeoutMs: number, expired: (session: ServerSession) => void) {
    this.#timeoutMs = timeoutMs;
    this.#expired = expired;
  }

  /** Connections still waiting to register. */
  get size(): number {
    return this.#pending.size;
  }

  add(session: ServerSession): void {
    this.#pending.add(session);
    this.#arm(session.connectedAt + this.#timeoutMs);
  }

  delete(session: ServerSession): void {
    this.#pending.delete(session);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#pending.clear();
  }

  #arm(deadline: number): void {
    if (deadline >= this.#armedFor) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, deadline - Date.now()));
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const session of this.#pending) {
      const deadline = session.connectedAt + this.#timeoutMs;
      if (deadline > now) {
        next = Math.min(next, deadline);
        continue;
      }
      this.#pending.delete(session);
      this.#expired(session);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }
}
