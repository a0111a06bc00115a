/**
 * Flow control for posts between nodes: a node's room backpressure (`holdSenders`) can only
 * stop reading its own clients, so a slow member on another node needs that node to say so.
 *
 * Two mechanisms, both carried as small JSON messages on the posting node's own channel:
 * - **Room holds** (`ph` / `pr`). A node whose member of a room has more posts queued than
 *   the watermark asks the node the posts came from to hold that room: the posting node stops
 *   reading its clients that post there until the hold is released (`pr`, when the member
 *   drains or goes), the holding node leaves, or the hold is not refreshed for
 *   `HOLD_TTL_MS` (refreshed every `TICK_MS`, so a lost release or a dead node cannot hold a
 *   room for ever). The posting node confirms each hold (and each refresh) with an empty post
 *   message for the room (a probe with its name); until that arrives, the holding node
 *   acknowledges none of that node's posts, so however long the hold takes to arrive, at
 *   most a window more reaches the backed-up member.
 * - **A window** (`pa`). Each post message carries the poster's running count of post bytes;
 *   every other node acknowledges it every quarter window. A node with more than a window
 *   (`WINDOW_BYTES`, or a quarter of the output limit if smaller: `postWindow`)
 *   unacknowledged by some live node stops reading its posters until that
 *   node catches up: what Redis and a busy node's socket buffer between a post and its
 *   delivery stays bounded, so a hold always comes in time (watermark plus window stays well
 *   under the output limit) and Redis never drops a lagging subscriber. While it waits, it
 *   publishes an empty post message (a probe) each `TICK_MS`, which every node acknowledges
 *   at once: posts lost while a subscriber reconnected cannot hold the window shut.
 *
 * A node that acknowledges nothing for `SILENT_MS` while others wait on it (a subscriber
 * cut off from Redis while its lease lives on) is not waited for until it acknowledges
 * again: it may then lose posts, but it cannot stop the cluster's posters. Counts are modulo
 * 2^32; a window is far smaller, so differences stay exact.
 */

/** Unacknowledged post bytes after which a node stops reading its posters (at most). */
export const WINDOW_BYTES = 1024 * 1024;
/** A receiving node acknowledges a poster's node at least this often (bytes, at most). */
export const ACK_STEP_BYTES = WINDOW_BYTES / 4;

/**
 * The window for an output limit of `maxOutputBytes`: a member holds its room at a quarter
 * of the limit, and up to a window more can be on its way before the hold takes effect, so
 * the window is at most another quarter (a small `--max-output-bytes` must not cut a
 * member off before the hold reaches the poster's node).
 */
export function postWindow(maxOutputBytes: number): number {
  return Math.max(1, Math.min(WINDOW_BYTES, Math.floor(maxOutputBytes / 4)));
}
/** How often holds are refreshed and expired, and a shut window probed. */
export const TICK_MS = 500;
/** A room hold not refreshed for this long is dropped. */
export const HOLD_TTL_MS = 3_000;
/** A node silent for this long is not waited for (see above). */
export const SILENT_MS = 5_000;

/** A post-flow message, JSON on the node channel of the node it is for. */
export interface PostControl {
  /** `pa` acknowledgement, `ph` hold a room, `pr` release it. */
  t: 'pa' | 'ph' | 'pr';
  /** The node it comes from. */
  n: string;
  /** `pa`: the poster's count of post bytes processed. */
  s?: number;
  /** `pa`: the window the acknowledging node asks for (its own `postWindow`). */
  w?: number;
  /** `ph`, `pr`: the room. */
  r?: string;
}

/** How `PostFlow` reaches the other nodes and its own server. */
export interface PostFlowWire {
  /** Sends `message` (without `n`) to `node`. */
  send(node: string, message: Omit<PostControl, 'n'>): void;
  /**
   * Publishes an empty post message after any posts still queued, carrying `seq` as it then
   * stands, for every node to acknowledge; with `room`, it also confirms that this node holds
   * that room.
   */
  probe(room?: string): void;
  /** A hold was released or the window opened: waiting posters may be read again. */
  mayFlow(): void;
  /** `node` is a window behind and has acknowledged nothing for `SILENT_MS`: not waited for. */
  silent(node: string): void;
}

/** Both ends of the cross-node flow of posts, for one node. */
export class PostFlow {
  readonly #wire: PostFlowWire;
  readonly #window: number;
  readonly #ackStep: number;
  // As the posting node.
  #published = 0;
  /** Per other live node, the count it acknowledged last, and when. */
  readonly #acked = new Map<string, { seq: number; at: number; window: number }>();
  #shut = false;
  /** Nodes no longer waited for (told to `silent` once), until they acknowledge again. */
  readonly #silent = new Set<string>();
  /** Rooms other nodes hold, with when each node's hold runs out. */
  readonly #holds = new Map<string, Map<string, number>>();
  // As a receiving node.
  /** Per posting node, the count acknowledged to it last. */
  readonly #ackedTo = new Map<string, number>();
  /** Holds this node asks for, keyed by posting node and room; confirmed once probed. */
  readonly #asking = new Map<string, { node: string; room: string; confirmed: boolean }>();
  /** Per posting node, the count of the last post message received from it. */
  readonly #seen = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | null = null;

  /** `windowBytes`: see `postWindow`; acknowledgements go every quarter of it. */
  constructor(wire: PostFlowWire, windowBytes = WINDOW_BYTES) {
    this.#wire = wire;
    this.#window = windowBytes;
    this.#ackStep = Math.max(1, Math.floor(windowBytes / 4));
  }

  /** The count to stamp on the next post message, after `bytes` more were queued. */
  published(bytes: number): number {
    this.#published = (this.#published + bytes) >>> 0;
    if (!this.#shut && this.#acked.size > 0 && this.#behind()) {
      this.#shut = true;
      this.#tickSoon();
    }
    return this.#published;
  }

  /** The count the next post message carries. */
  get seq(): number {
    return this.#published;
  }

  /** Whether a client of this node may go on posting to `room`. */
  mayPost(room: string): boolean {
    if (this.#shut) return false;
    if (this.#holds.size === 0) return true;
    const holders = this.#holds.get(room);
    if (holders === undefined) return true;
    const now = Date.now();
    for (const until of holders.values()) if (until > now) return false;
    return true;
  }

  /** `node` is live: it is expected to acknowledge from now on. */
  nodeJoined(node: string): void {
    if (!this.#acked.has(node)) {
      this.#acked.set(node, { seq: this.#published, at: Date.now(), window: this.#window });
    }
  }

  /** `node` left or its lease ran out: nothing waits for it. */
  nodeGone(node: string): void {
    this.#acked.delete(node);
    this.#silent.delete(node);
    this.#ackedTo.delete(node);
    this.#seen.delete(node);
    for (const [key, ask] of this.#asking) if (ask.node === node) this.#asking.delete(key);
    for (const [room, holders] of this.#holds) {
      holders.delete(node);
      if (holders.size === 0) this.#holds.delete(room);
    }
    // One wake-up for both: the window may open, and the node's holds are gone.
    if (this.#shut && !this.#behind()) this.#shut = false;
    this.#wire.mayFlow();
  }

  /**
   * Redis came back: acknowledgements and releases may have been lost while it was away, so
   * every node starts level again; holds still wanted are asked for again at the next tick.
   */
  reset(): void {
    const now = Date.now();
    for (const [node, { window }] of this.#acked) {
      this.#acked.set(node, { seq: this.#published, at: now, window });
    }
    this.#ackedTo.clear();
    this.#seen.clear();
    // Asked again at the next tick, and confirmed again by the posting nodes.
    for (const ask of this.#asking.values()) ask.confirmed = false;
    this.#holds.clear();
    this.#shut = false;
    if (this.#asking.size > 0) this.#tickSoon();
    this.#wire.mayFlow();
  }

  /**
   * A post message from `node`, just handed to the local members; `count` 0 is a probe, and
   * a probe for `room` confirms that `node` holds it.
   */
  received(node: string, seq: number, count: number, room = ''): void {
    this.#seen.set(node, seq);
    if (count === 0 && room !== '') {
      const ask = this.#asking.get(`${node}\n${room}`);
      if (ask !== undefined) ask.confirmed = true;
    }
    if (this.#awaitingConfirmation(node)) return;
    const last = this.#ackedTo.get(node);
    if (last !== undefined && count > 0 && (seq - last) >>> 0 < this.#ackStep) return;
    this.#ack(node, seq);
  }

  #ack(node: string, seq: number): void {
    this.#ackedTo.set(node, seq);
    this.#wire.send(node, { t: 'pa', s: seq, w: this.#window });
  }

  /** Whether a hold asked of `node` is not confirmed yet (its posts are not acknowledged). */
  #awaitingConfirmation(node: string): boolean {
    for (const ask of this.#asking.values()) if (ask.node === node && !ask.confirmed) return true;
    return false;
  }

  /** A local member of `room` is backed up with posts from `node`: ask it to hold the room. */
  hold(room: string, node: string): void {
    const key = `${node}\n${room}`;
    if (this.#asking.has(key)) return;
    this.#asking.set(key, { node, room, confirmed: false });
    this.#wire.send(node, { t: 'ph', r: room });
    this.#tickSoon();
  }

  /** The local members of `room` that held `node`'s posts caught up (or left). */
  release(room: string, node: string): void {
    if (!this.#asking.delete(`${node}\n${room}`)) return;
    this.#wire.send(node, { t: 'pr', r: room });
    // What was held back from acknowledgement is acknowledged now.
    const seen = this.#seen.get(node);
    if (
      seen !== undefined &&
      seen !== this.#ackedTo.get(node) &&
      !this.#awaitingConfirmation(node)
    ) {
      this.#ack(node, seen);
    }
  }

  /** A post-flow message from another node. */
  control(message: PostControl): void {
    const node = String(message.n);
    if (message.t === 'pa') {
      const seq = Number(message.s) >>> 0;
      const last = this.#acked.get(node)?.seq;
      // A node with a smaller output limit asks for a smaller window: the smaller one holds.
      const asked = Number(message.w);
      const window = asked > 0 ? Math.min(this.#window, asked) : this.#window;
      // An acknowledgement overtaken by a later one (or from before a reset) is ignored.
      if (last === undefined || (seq - last) >>> 0 <= (this.#published - last) >>> 0) {
        this.#acked.set(node, { seq, at: Date.now(), window });
        this.#silent.delete(node);
      }
      if (this.#shut) this.#reopen();
      return;
    }
    const room = String(message.r);
    if (message.t === 'ph') {
      let holders = this.#holds.get(room);
      if (holders === undefined) {
        holders = new Map();
        this.#holds.set(room, holders);
      }
      holders.set(node, Date.now() + HOLD_TTL_MS);
      // After every post published so far: the holding node acknowledges again once it has
      // them all and knows that no more are coming to the room.
      this.#wire.probe(room);
      this.#tickSoon();
      return;
    }
    const holders = this.#holds.get(room);
    if (holders?.delete(node)) {
      if (holders.size === 0) this.#holds.delete(room);
      this.#wire.mayFlow();
    }
  }

  /** Stops the timer (the node leaves the cluster). */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Whether some live node that still acknowledges is more than a window behind. */
  #behind(): boolean {
    let now = 0;
    for (const [node, { seq, at, window }] of this.#acked) {
      if ((this.#published - seq) >>> 0 <= window) continue;
      now ||= Date.now();
      if (now - at <= SILENT_MS) return true;
      if (!this.#silent.has(node)) {
        this.#silent.add(node);
        this.#wire.silent(node);
      }
    }
    return false;
  }

  #reopen(): void {
    if (!this.#shut || this.#behind()) return;
    this.#shut = false;
    this.#wire.mayFlow();
  }

  #tickSoon(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    // The server's sockets keep the process alive, not this.
    this.#timer.unref();
  }

  #tick(): void {
    const now = Date.now();
    let expired = false;
    for (const [room, holders] of this.#holds) {
      for (const [node, until] of holders) {
        if (until <= now) {
          holders.delete(node);
          expired = true;
        }
      }
      if (holders.size === 0) this.#holds.delete(room);
    }
    for (const { node, room } of this.#asking.values()) this.#wire.send(node, { t: 'ph', r: room });
    if (this.#shut) {
      this.#wire.probe();
      // A node that fell silent meanwhile is no longer waited for.
      this.#reopen();
    }
    if (expired) this.#wire.mayFlow();
    if (!this.#shut && this.#holds.size === 0 && this.#asking.size === 0) this.close();
  }
}
