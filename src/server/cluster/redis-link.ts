import { Redis } from 'ioredis';
import { ServerError } from '../errors.js';
import type { ClusterHealth } from '../metrics/health.js';
import {
  decodeChunk,
  decodeEnvelope,
  ENVELOPE_CHUNK,
  ENVELOPE_DIRECT,
  ENVELOPE_POSTS,
  encodeChunk,
  encodeEnvelope,
} from './envelope.js';
import type {
  ClaimResult,
  FileControl,
  ClusterHost,
  ClusterJoinResult,
  ClusterLink,
  ClusterOptions,
} from './link.js';
import { Mirrors, type RoomDelta } from './mirror.js';
import { type PostControl, PostFlow, postWindow } from './post-flow.js';
import { SCRIPTS } from './scripts.js';

type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;
type ScriptCalls = Record<ScriptName, (...args: Arg[]) => Promise<unknown>>;

/** Posts for one room gathered within one turn of the event loop. */
interface PendingPosts {
  parts: Buffer[];
}

function limit(n: number): number {
  return Number.isFinite(n) ? n : -1;
}

/** `text` with Redis's glob characters escaped, to match itself in a pattern. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&');
}

/** Reads `[version, name, node, name, node…]` into entries. */
function entries(flat: readonly unknown[], from: number): [string, string][] {
  const out: [string, string][] = [];
  for (let i = from; i + 1 < flat.length; i += 2) out.push([String(flat[i]), String(flat[i + 1])]);
  return out;
}

/**
 * A node of a cluster joined through Redis (ioredis): names, rooms and the routing of
 * posts and direct messages live there; sockets, heartbeats and listings stay on the node.
 * Two connections: one for commands and scripts, one subscribed to this node's channel.
 */
export class RedisClusterLink implements ClusterLink {
  readonly nodeId: string;
  readonly #o: Required<ClusterOptions>;
  readonly #host: ClusterHost;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #mirrors: Mirrors;
  readonly #claiming = new Set<string>();
  /** Rooms each local user is joining in Redis (a join in flight): a re-assertion keeps them. */
  readonly #joining = new Map<string, Set<string>>();
  #posts = new Map<string, PendingPosts>();
  #postsScheduled = false;
  #live = new Set<string>();
  /** Whether a sweep has run: the first one logs nobody as joining. */
  #swept = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #up = false;
  #wasDown = false;
  #closed = false;
  /** The channel this node publishes its posts on (every node follows `<prefix>:posts:*`). */
  readonly #ownPosts: string;
  /** The same, as the subscriber hands channel names over, to skip its own posts. */
  readonly #ownPostsBytes: Buffer;
  /** Where the other nodes' posts channels' names start (the node id follows). */
  readonly #postsPrefixBytes: number;
  readonly #flow: PostFlow;

  constructor(options: Required<ClusterOptions>, host: ClusterHost) {
    this.#o = options;
    this.nodeId = options.nodeId;
    this.#ownPosts = `${options.prefix}:posts:${options.nodeId}`;
    this.#ownPostsBytes = Buffer.from(this.#ownPosts);
    this.#postsPrefixBytes = Buffer.byteLength(`${options.prefix}:posts:`);
    this.#host = host;
    const common = {
      lazyConnect: true,
      connectionName: `relaykit-${options.nodeId}`,
      retryStrategy: (times: number) => Math.min(times * 100, 1_000),
      maxRetriesPerRequest: 1,
    };
    // Commands fail at once while Redis is away (no queue to replay stale room changes
    // later); the node re-asserts its state when it is back.
    this.#cmd = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      enableAutoPipelining: true,
    });
    this.#sub = new Redis(options.url, { ...common, enableOfflineQueue: true });
    for (const [name, def] of Object.entries(SCRIPTS)) this.#cmd.defineCommand(name, def);
    this.#mirrors = new Mirrors((room, force) => void this.#resnapshot(room, force));
    this.#flow = new PostFlow(
      {
        send: (node, message) => {
          if (!this.#up) return;
          const json = JSON.stringify({ ...message, n: this.nodeId });
          this.#cmd.publish(`${this.#p}:n:${node}`, json).catch(() => {});
        },
        probe: (room = '') => {
          if (!this.#up) return;
          // After the turn's posts, so that it follows every post published so far.
          this.#flushPosts();
          const message = encodeEnvelope(ENVELOPE_POSTS, room, 0, [], this.#flow.seq);
          this.#cmd.publish(this.#ownPosts, message).catch(() => {});
        },
        mayFlow: () => host.postsMayFlow(),
        silent: (node) =>
          host.log.warn('node acknowledges no posts; posting without waiting for it', {
            node,
            hint: 'check its connection to Redis; it may miss posts until it answers again',
          }),
      },
      postWindow(host.maxOutputBytes),
    );
  }

  get #p(): string {
    return this.#o.prefix;
  }

  #call(name: ScriptName, ...args: Arg[]): Promise<unknown> {
    return (this.#cmd as unknown as ScriptCalls)[name](this.#p, ...args);
  }

  /** Connects, takes this node's lease and starts listening to its channel. */
  async start(): Promise<void> {
    const { url, nodeId, connectTimeoutMs } = this.#o;
    let lastError = '';
    const noteError = (err: Error) => {
      lastError = err.message;
    };
    this.#cmd.on('error', noteError);
    this.#sub.on('error', noteError);
    try {
      await withTimeout(
        Promise.all([this.#cmd.connect(), this.#sub.connect()]),
        connectTimeoutMs,
        () => lastError || 'no answer',
      );
      if ((await this.#cmd.exists(`${this.#p}:node:${nodeId}`)) === 1) {
        throw new ServerError(
          'CLUSTER_NODE_ID_IN_USE',
          `Node id '${nodeId}' is held by a running node (or one that stopped less than ${this.#o.leaseMs} ms ago); give each node its own --node-id, or wait for the lease to run out`,
        );
      }
      await this.#call('rkDepart', nodeId);
      await this.#sub.subscribe(`${this.#p}:n:${nodeId}`);
      await this.#sub.psubscribe(`${globEscape(this.#p)}:posts:*`);
    } catch (err) {
      this.#cmd.disconnect();
      this.#sub.disconnect();
      if (err instanceof ServerError) throw err;
      throw new ServerError(
        'CLUSTER_UNREACHABLE',
        `Cannot reach Redis at ${url}: ${unreachable(lastError, err as Error)}. Start redis-server there, or fix --cluster`,
        { cause: err },
      );
    }
    this.#cmd.off('error', noteError);
    this.#sub.off('error', noteError);
    this.#sub.on('messageBuffer', (_channel: Buffer, message: Buffer) =>
      this.#message(message, ''),
    );
    this.#sub.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      // Its own posts reached its own members already.
      if (channel.equals(this.#ownPostsBytes)) return;
      this.#message(message, channel.toString('utf8', this.#postsPrefixBytes));
    });
    this.#watch();
    this.#up = true;
    await this.#sweep('ignore');
    // At least every 2 s whatever the lease, so joins and departures are logged promptly.
    const every = Math.max(50, Math.min(2_000, this.#o.leaseMs / 4));
    this.#timer = setInterval(() => void this.#sweep(), every);
    this.#host.log.info('joined cluster', { node: nodeId, nodes: [...this.#live].join(',') });
    this.#announce('hi');
  }

  /** Follows the command connection: down, then up again (re-assert what Redis may have lost). */
  #watch(): void {
    const { log } = this.#host;
    this.#cmd.on('error', (err: Error) => {
      if (this.#up) log.warn('cluster store unreachable', { reason: err.message });
    });
    this.#cmd.on('close', () => {
      if (!this.#up || this.#closed) return;
      this.#up = false;
      this.#wasDown = true;
      log.warn('cluster store unreachable; serving local clients only', { url: this.#o.url });
      // Posts no longer leave this node: posters held for other nodes may go on.
      this.#host.postsMayFlow();
    });
    this.#sub.on('error', () => {});
    this.#cmd.on('ready', () => {
      if (!this.#wasDown || this.#closed) return;
      this.#wasDown = false;
      this.#up = true;
      this.#flow.reset();
      log.info('cluster store reachable again; re-asserting users and rooms');
      void this.#reassert();
    });
  }

  health(): ClusterHealth {
    return { nodes: Math.max(1, this.#live.size), redisUp: this.#up };
  }

  async claim(name: string): Promise<ClaimResult> {
    if (!this.#up) return 'down';
    if (this.#claiming.has(name)) return 'taken';
    this.#claiming.add(name);
    try {
      return (await this.#call('rkClaim', this.nodeId, name, limit(this.#host.maxUsers))) as
        | 'ok'
        | 'taken'
        | 'full';
    } catch {
      return 'down';
    } finally {
      this.#claiming.delete(name);
    }
  }

  async join(room: string, name: string): Promise<ClusterJoinResult> {
    this.#flushPosts();
    if (!this.#up) {
      this.#mirrors.local(room, 'join', name, this.nodeId);
      return 'local';
    }
    const first = !this.#mirrors.has(room);
    if (first) this.#mirrors.expect(room);
    let reply: unknown[];
    let joining = this.#joining.get(name);
    if (joining === undefined) this.#joining.set(name, (joining = new Set()));
    joining.add(room);
    try {
      reply = (await this.#call(
        'rkJoin',
        this.nodeId,
        name,
        room,
        limit(this.#host.maxRooms),
        this.#mirrors.awaiting(room) ? '1' : '0',
      )) as unknown[];
    } catch {
      this.#mirrors.local(room, 'join', name, this.nodeId);
      return 'local';
    } finally {
      // Until the server has joined the session here too (the caller does, on this reply).
      setImmediate(() => this.#joinSettled(name, room));
    }
    const outcome = String(reply[0]);
    if (outcome !== 'joined') {
      if (this.#mirrors.awaiting(room) && !this.#host.hasLocalMembers(room)) {
        this.#mirrors.drop(room);
      }
      return outcome === 'full' ? 'full' : 'already';
    }
    if (reply.length > 3) this.#mirrors.snapshot(room, Number(reply[3]), entries(reply, 4));
    this.#mirrors.local(room, 'join', name, this.nodeId);
    return 'joined';
  }

  /** `name`'s join of `room` is over (answered and applied here, or undone by a leave). */
  #joinSettled(name: string, room: string): void {
    const joining = this.#joining.get(name);
    if (joining?.delete(room) === true && joining.size === 0) this.#joining.delete(name);
  }

  leave(room: string, name: string): void {
    this.#joinSettled(name, room);
    this.#flushPosts();
    this.#mirrors.local(room, 'leave', name, this.nodeId);
    if (!this.#host.hasLocalMembers(room)) this.#mirrors.drop(room);
    if (this.#up) this.#call('rkLeave', this.nodeId, name, room).catch(() => {});
  }

  release(name: string): void {
    this.#flushPosts();
    if (this.#up) this.#call('rkRelease', this.nodeId, name).catch(() => {});
  }

  async listRooms(): Promise<string[] | null> {
    if (!this.#up) return null;
    try {
      return await this.#cmd.zrange(`${this.#p}:rooms`, 0, -1);
    } catch {
      return null;
    }
  }

  async locate(name: string): Promise<string | null | 'down'> {
    if (!this.#up) return 'down';
    try {
      const owner = await this.#call('rkLocate', name);
      return typeof owner === 'string' ? owner : null;
    } catch {
      return 'down';
    }
  }

  names(room: string): Iterable<string> {
    return this.#mirrors.names(room);
  }

  publishPost(room: string, frame: Buffer): boolean {
    let pending = this.#posts.get(room);
    if (pending === undefined) {
      pending = { parts: [] };
      this.#posts.set(room, pending);
    }
    pending.parts.push(frame);
    if (!this.#postsScheduled) {
      this.#postsScheduled = true;
      process.nextTick(() => this.#flushPosts());
    }
    return this.mayPost(room);
  }

  mayPost(room: string): boolean {
    return !this.#up || this.#flow.mayPost(room);
  }

  holdPosts(room: string, origin: string): void {
    this.#flow.hold(room, origin);
  }

  releasePosts(room: string, origin: string): void {
    this.#flow.release(room, origin);
  }

  /**
   * Publishes the turn's posts: one message per room on this node's posts channel, which
   * every node subscribes to (by pattern) and hands to whatever members of the room it has.
   * Not only to the nodes this node's copy of the room lists: a member who entered on
   * another node is told so (its listing) as soon as Redis has the entry, and this node
   * hears of it a little later; a post sent in between must still reach it. Redis delivers
   * a node's room changes and posts on one connection in the order it took them, so no
   * post overtakes the entry of its sender. Called before any room change too, so a post
   * never arrives after its sender's departure.
   */
  #flushPosts(): void {
    this.#postsScheduled = false;
    if (this.#posts.size === 0) return;
    const posts = this.#posts;
    this.#posts = new Map();
    if (!this.#up) return;
    for (const [room, { parts }] of posts) {
      let bytes = 0;
      for (const part of parts) bytes += part.length;
      const seq = this.#flow.published(bytes);
      const message = encodeEnvelope(ENVELOPE_POSTS, room, parts.length, parts, seq);
      this.#cmd.publish(this.#ownPosts, message).catch(() => {});
    }
  }

  sendDirect(node: string, name: string, frame: Buffer): void {
    this.#flushPosts();
    if (!this.#up) return;
    const message = encodeEnvelope(ENVELOPE_DIRECT, name, 1, [frame]);
    this.#cmd.publish(`${this.#p}:n:${node}`, message).catch(() => {});
  }

  sendFileControl(node: string, message: Omit<FileControl, 'n'>): void {
    if (!this.#up) return;
    const json = JSON.stringify({ ...message, n: this.nodeId });
    this.#cmd.publish(`${this.#p}:n:${node}`, json).catch(() => {});
  }

  sendChunk(node: string, id: number, finished: boolean, data: Uint8Array): void {
    if (!this.#up) return;
    this.#cmd.publish(`${this.#p}:n:${node}`, encodeChunk(id, finished, data)).catch(() => {});
  }

  /** A message from Redis; `origin` is the posting node for a posts channel's, else ''. */
  #message(message: Buffer, origin: string): void {
    if (message[0] === ENVELOPE_CHUNK) {
      const chunk = decodeChunk(message);
      if (chunk !== null) this.#host.fileChunk(chunk.id, chunk.finished, chunk.data);
      return;
    }
    if (message[0] === 0x7b) {
      this.#delta(message);
      return;
    }
    const env = decodeEnvelope(message);
    if (env === null) {
      this.#host.log.warn('cluster message not understood', { bytes: message.length });
    } else if (env.kind === ENVELOPE_POSTS) {
      if (env.count > 0) this.#host.deliverPosts(env.key, env.frames, env.count, origin);
      this.#flow.received(origin, env.seq, env.count, env.key);
    } else {
      this.#host.deliverDirect(env.key, env.frames);
    }
  }

  #delta(message: Buffer): void {
    let d: { t: string; r: string; u: string; o: string; p: number; v: number };
    try {
      d = JSON.parse(message.toString('utf8'));
    } catch {
      this.#host.log.warn('cluster room change not understood', { bytes: message.length });
      return;
    }
    if (d.t.startsWith('f')) {
      this.#host.fileControl(d as unknown as FileControl);
      return;
    }
    if (d.t.startsWith('p')) {
      this.#flow.control(d as unknown as PostControl);
      return;
    }
    if (d.t === 'hi' || d.t === 'bye') {
      this.#peer(d.t, String((d as unknown as { n: string }).n));
      return;
    }
    const delta: RoomDelta = {
      kind: d.t === 'j' ? 'join' : 'leave',
      room: String(d.r),
      name: String(d.u),
      node: String(d.o),
      prev: Number(d.p),
      version: Number(d.v),
    };
    if (this.#mirrors.apply(delta)) this.#host.roomChanged(delta.room);
  }

  /**
   * Tells every other live node that this one joins or leaves, so they log it at once
   * rather than at their next sweep (which a short-lived node could fall between).
   */
  #announce(what: 'hi' | 'bye'): void {
    const message = JSON.stringify({ t: what, n: this.nodeId });
    for (const node of this.#live) {
      if (node !== this.nodeId) this.#cmd.publish(`${this.#p}:n:${node}`, message).catch(() => {});
    }
  }

  /** Another node said it joins or leaves. */
  #peer(what: 'hi' | 'bye', node: string): void {
    if (what === 'hi' && !this.#live.has(node)) {
      this.#live.add(node);
      this.#joined(node);
      this.#host.log.info('node joined', { node });
    } else if (what === 'bye' && this.#live.delete(node)) {
      this.#host.log.info('node left', { node });
      this.#gone(node);
    }
  }

  #joined(node: string): void {
    if (node !== this.nodeId) this.#flow.nodeJoined(node);
  }

  /** `node` left or its lease ran out: its transfers end, and no post waits for it. */
  #gone(node: string): void {
    this.#flow.nodeGone(node);
    this.#host.nodeGone(node);
  }

  /** Re-reads a room whose changes could not be put in order. */
  async #resnapshot(room: string, force = false): Promise<void> {
    try {
      const flat = (await this.#call('rkSnapshot', room)) as unknown[];
      if (!this.#host.hasLocalMembers(room)) return;
      if (this.#mirrors.snapshot(room, Number(flat[0]), entries(flat, 1), force)) {
        this.#host.roomChanged(room);
      }
    } catch {
      // Redis went away again: the next re-assertion reads it.
    }
  }

  /**
   * Renews the lease, reaps nodes whose lease ran out, and logs who came and went. A node
   * that finds its own lease had run out (it stalled past it: a long pause, a frozen VM) may
   * have had its users reaped by the others while it went on serving them, so it re-asserts
   * them (`lapsed`: what to do then; the start and a re-assertion pass `ignore`).
   */
  async #sweep(lapsed: 'reassert' | 'ignore' = 'reassert'): Promise<void> {
    if (!this.#up || this.#closed) return;
    let reply: string[];
    try {
      reply = (await this.#call('rkSweep', this.nodeId, this.#o.leaseMs)) as string[];
    } catch (err) {
      // Unreachable Redis is logged once by the connection; anything else is a bug to see.
      if (this.#up) this.#host.log.warn('lease renewal failed', { reason: (err as Error).message });
      return;
    }
    const split = reply.indexOf('');
    const end = reply.lastIndexOf('');
    const live = new Set(reply.slice(0, split));
    const expired = new Set(reply.slice(split + 1, end));
    const { log } = this.#host;
    // The first sweep finds the nodes already there: 'joined cluster' names them all at once.
    const first = !this.#swept;
    this.#swept = true;
    for (const node of live) {
      this.#joined(node);
      if (!first && node !== this.nodeId && !this.#live.has(node))
        log.info('node joined', { node });
    }
    for (const node of this.#live) {
      if (!live.has(node)) {
        // One that died is logged once, below, as what it is.
        if (!expired.has(node)) log.info('node left', { node });
        this.#gone(node);
      }
    }
    for (const node of expired) {
      log.warn('node lease expired; its users were removed', { node });
      this.#gone(node);
    }
    this.#live = live;
    if (reply[end + 1] === '1' && lapsed === 'reassert') {
      log.warn(
        "this node's lease ran out (it stalled for longer than --cluster-lease); re-asserting its users and rooms",
        { node: this.nodeId },
      );
      // The others took it for gone and ended its transfers with them: so does it.
      for (const node of live) if (node !== this.nodeId) this.#gone(node);
      void this.#reassert();
    }
  }

  /**
   * After Redis came back (possibly empty): each local user claims its name again (and is
   * disconnected if another node took it meanwhile) and holds exactly its rooms; then every
   * room this node has members in is re-read.
   */
  async #reassert(): Promise<void> {
    try {
      await this.#sweep('ignore');
      const names: string[] = [];
      // Each user's rooms are read as its turn comes, not all at the start, so a room it
      // joined meanwhile (or is joining) is kept rather than left again.
      for (const user of this.#host.localUsers()) {
        const rooms = new Set([...user.rooms, ...(this.#joining.get(user.name) ?? [])]);
        const got = await this.#call(
          'rkReassert',
          this.nodeId,
          limit(this.#host.maxUsers),
          user.name,
          ...rooms,
        );
        if (got === 'ok') names.push(user.name);
        else {
          this.#host.evict(
            user.name,
            got === 'taken'
              ? `name '${user.name}' was taken on another node while Redis was unreachable`
              : `user limit of ${this.#host.maxUsers} reached while Redis was unreachable`,
          );
        }
      }
      // The prune keeps whoever this node serves now (an evicted user is gone from it) and
      // every name with a claim in flight (it reaches Redis before the prune): a user who
      // registered while this ran claimed its name itself, and pruning by the list taken at
      // the start dropped it from Redis while this node kept serving it.
      const keep = new Set(this.#claiming);
      for (const user of this.#host.localUsers()) keep.add(user.name);
      await this.#call('rkPrune', this.nodeId, ...keep);
      for (const room of [...this.#mirrors.rooms()]) await this.#resnapshot(room, true);
      this.#host.log.info('re-asserted state in the cluster store', { users: names.length });
    } catch (err) {
      this.#host.log.warn('re-assertion interrupted; retrying when Redis is back', {
        reason: (err as Error).message,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flushPosts();
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#flow.close();
    if (this.#up) {
      try {
        await withTimeout(this.#call('rkDepart', this.nodeId), 1_000, () => 'no answer');
        this.#announce('bye');
        this.#host.log.info('left cluster', { node: this.nodeId });
      } catch {
        // Its lease runs out instead, and the others reap it.
      }
    }
    // quit, not disconnect: disconnect leaves a timer behind in ioredis.
    try {
      await withTimeout(Promise.all([this.#cmd.quit(), this.#sub.quit()]), 500, () => 'no answer');
    } catch {
      this.#cmd.disconnect();
      this.#sub.disconnect();
    }
  }
}

/** Rejects with `why()` when `work` takes longer than `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${why()} after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a node's link to its cluster (loaded only with `cluster`, so ioredis is too). */
export async function startClusterLink(
  options: Required<ClusterOptions>,
  host: ClusterHost,
): Promise<ClusterLink> {
  const link = new RedisClusterLink(options, host);
  await link.start();
  return link;
}

/**
 * Why Redis could not be reached: the connection's own error (ECONNREFUSED and the like)
 * rather than ioredis's "Connection is closed.", without a full stop of its own.
 */
function unreachable(lastError: string, err: Error): string {
  return (lastError || err.message).replace(/\.+$/, '');
}
