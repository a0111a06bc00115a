import type { ErrorCode } from '../protocol/index.js';
import type { ClusterLink } from './cluster/link.js';
import type { Listings } from './listings.js';
import type { Logger } from './logger.js';
import type { DisconnectReason, ServerCounters } from './metrics/counters.js';
import type { PostBatch } from './post-batch.js';
import type { ResolvedServerOptions } from './options.js';
import type { Registry } from './registry.js';
import type { ServerSession } from './session.js';
import type { TransferTable } from './transfers.js';

/** What every handler works with: the server's state and its ways of ending a session. */
export interface ServerContext {
  readonly options: ResolvedServerOptions;
  readonly log: Logger;
  /** Running counts for `stats` and the metrics. */
  readonly counters: ServerCounters;
  readonly registry: Registry<ServerSession>;
  readonly transfers: TransferTable<ServerSession>;
  /** Where POSTs go: consecutive posts to one room leave as one buffer per member. */
  readonly posts: PostBatch;
  /** Where USER_LISTINGs go: coalesced per room, latest wins for a slow reader (§5.11). */
  readonly listings: Listings<ServerSession>;
  /**
   * Ends `session` for breaking a rule: it leaves everything at once, then ERR `code` is
   * flushed and the connection closed (CLARIFICATIONS §4).
   */
  fail(session: ServerSession, code: ErrorCode, reason: string): void;
  /**
   * Ends `session` without an error: it leaves everything at once, then a flushed close.
   * `why` is the reason the metrics count it under.
   */
  finish(session: ServerSession, reason: string, why: DisconnectReason): void;
  /** `session` has just registered: it no longer has a registration deadline. */
  registered(session: ServerSession): void;
  /** The cluster this node is part of, or null when it runs alone. */
  cluster: ClusterLink | null;
  /**
   * `session` posted to `room` and the cluster asked to hold it (`ClusterLink.publishPost`
   * answered false): it is not read until the room flows again.
   */
  waitForCluster(session: ServerSession, room: string): void;
  /**
   * Holds `session`'s next frames (and stops reading it) until `pending` settles, then runs
   * `then` and handles the held frames in order: one client's commands keep their order
   * when one of them has to ask Redis. If the session ended meanwhile, `orphaned` runs
   * instead, to undo what `pending` did on its behalf.
   */
  hold<T>(
    session: ServerSession,
    pending: Promise<T>,
    then: (value: T) => void,
    orphaned?: (value: T) => void,
  ): void;
}
