import type { Logger } from '../logger.js';
import type { ClusterHealth } from '../metrics/health.js';

/** `createServer({ cluster })`: the Redis that joins this node to others. */
export interface ClusterOptions {
  /** `redis://host:port[/db]` (also `rediss://` for Redis over TLS). */
  url: string;
  /** Keeps several clusters apart on one Redis (default `'relaykit'`). */
  prefix?: string;
  /** This node's id, unique in the cluster (default `<hostname>-<pid>`). */
  nodeId?: string;
  /**
   * How long a node that stopped renewing its lease (killed, or cut off from Redis) keeps
   * its users: after it, the other nodes remove them (default 8000 ms; renewed every third).
   */
  leaseMs?: number;
  /** How long `listen()` waits for Redis before failing (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** What a name claim answered. */
export type ClaimResult = 'ok' | 'taken' | 'full' | 'down';

/** What joining a room answered; `'local'` when Redis was unreachable (joined here only). */
export type ClusterJoinResult = 'joined' | 'already' | 'full' | 'local';

/**
 * A step of a file transfer between two nodes (JSON on the target node's channel): an
 * `fo`ffer, `fa`ccept, `fr`ejection, `fx` abort (a party left), or `fc` credit (bytes the
 * target's node has written to the target, so the offerer's node may send more).
 */
export interface FileControl {
  t: 'fo' | 'fa' | 'fr' | 'fx' | 'fc';
  /** The node it comes from. */
  n: string;
  /** The transfer's id on the receiving node (0 when not known yet). */
  to: number;
  /** The transfer's id on the sending node. */
  peer: number;
  /** The offer's fields (`fo` only). */
  target?: string;
  source?: string;
  size?: number;
  name?: string;
  /** Bytes credited (`fc` only). */
  bytes?: number;
}

/** What the cluster needs from the server it runs in. */
export interface ClusterHost {
  readonly log: Logger;
  /** Most users and rooms in the whole cluster. */
  readonly maxUsers: number;
  readonly maxRooms: number;
  /** The output limit per client (the post window between nodes is sized from it). */
  readonly maxOutputBytes: number;
  /**
   * Encoded POSTs (`count` frames) from node `origin`, for this node's members of `room`. A
   * member they leave backed up asks `origin` to hold the room (`ClusterLink.holdPosts`).
   */
  deliverPosts(room: string, frames: Buffer, count: number, origin: string): void;
  /** Another node released a hold, or caught up: posters waiting (`mayPost`) may go on. */
  postsMayFlow(): void;
  /** An encoded frame from another node for local user `name`. */
  deliverDirect(name: string, frame: Buffer): void;
  /** `room`'s membership changed elsewhere: its local members get a listing. */
  roomChanged(room: string): void;
  /** This node's users and their rooms (to re-assert them after Redis came back). */
  localUsers(): Iterable<{ name: string; rooms: readonly string[] }>;
  /** Whether any local user is in `room`. */
  hasLocalMembers(room: string): boolean;
  /** Another node holds `name` now: its local holder must go, with `reason` logged. */
  evict(name: string, reason: string): void;
  /** A file step from another node. */
  fileControl(message: FileControl): void;
  /** A file chunk from another node for local transfer `id`. */
  fileChunk(id: number, finished: boolean, data: Buffer): void;
  /** `node` left or its lease ran out: transfers with it end. */
  nodeGone(node: string): void;
}

/**
 * How a server takes part in a cluster. Every method answers even while Redis is down (none
 * rejects), so a handler never has to catch: what cannot be done across nodes is done
 * locally, or refused where doing it locally would be unsafe (a name claim).
 */
export interface ClusterLink {
  readonly nodeId: string;
  /** Claims `name` cluster-wide for a user connecting here. */
  claim(name: string): Promise<ClaimResult>;
  /** Adds local user `name` to `room` cluster-wide. */
  join(room: string, name: string): Promise<ClusterJoinResult>;
  /** Local user `name` left `room` (already removed locally). */
  leave(room: string, name: string): void;
  /** Local user `name` is gone: its name is free again. */
  release(name: string): void;
  /** Every room in the cluster, sorted by name; null while Redis is unreachable. */
  listRooms(): Promise<string[] | null>;
  /** The node `name` is on, null when offline, `'down'` while Redis is unreachable. */
  locate(name: string): Promise<string | null | 'down'>;
  /** Member names of `room` in join order, from every node. */
  names(room: string): Iterable<string>;
  /**
   * A POST for `room`, for the other nodes to hand to whatever members of it they have.
   * False when its sender should be read no more until `mayPost(room)` (another node holds
   * the room, or has fallen a window behind): the host waits for `postsMayFlow`.
   */
  publishPost(room: string, frame: Buffer): boolean;
  /** Whether a local client may post to `room` now (see `publishPost`). */
  mayPost(room: string): boolean;
  /** A local member of `room` is backed up with `origin`'s posts: `origin` holds the room. */
  holdPosts(room: string, origin: string): void;
  /** No local member of `room` is backed up with `origin`'s posts any more. */
  releasePosts(room: string, origin: string): void;
  /** A frame for user `name` on `node`. */
  sendDirect(node: string, name: string, frame: Buffer): void;
  /** A file step for `node` (the sender's node id is filled in). */
  sendFileControl(node: string, message: Omit<FileControl, 'n'>): void;
  /** A file chunk for transfer `id` on `node`. */
  sendChunk(node: string, id: number, finished: boolean, data: Uint8Array): void;
  /** The cluster's state for `/healthz` and the gauges. */
  health(): ClusterHealth;
  /** Leaves the cluster: this node's users and lease are removed at once. */
  close(): Promise<void>;
}

/** Fills in the defaults of `ClusterOptions`. */
export function resolveClusterOptions(
  options: ClusterOptions,
  defaultNodeId: string,
): Required<ClusterOptions> {
  return {
    url: options.url,
    prefix: options.prefix ?? 'relaykit',
    nodeId: options.nodeId ?? defaultNodeId,
    leaseMs: options.leaseMs ?? 8_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
  };
}
