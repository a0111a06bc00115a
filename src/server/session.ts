import type { Socket } from 'node:net';
import { Connection } from '../connection.js';
import type { Peer } from '../transport/index.js';
import type { DisconnectReason, ServerCounters } from './metrics/counters.js';

export type { TrafficCounters } from './metrics/counters.js';
import {
  type ClientFrame,
  encode,
  Kind,
  type ProtocolError,
  type ServerFrame,
} from '../protocol/index.js';

/** What a session reports to the server that owns it. */
export interface SessionOwner {
  readonly counters: ServerCounters;
  readonly maxOutputBytes: number;
  frame(session: ServerSession, frame: ClientFrame): void;
  protocolError(session: ServerSession, err: ProtocolError): void;
  /** The socket closed (for any reason); called once. */
  closed(session: ServerSession): void;
  /** The socket's write buffer emptied after a write reported backpressure. */
  drained(session: ServerSession): void;
  /** More than `maxOutputBytes` of chat traffic is waiting for this client. */
  overflow(session: ServerSession): void;
  /** Sends the batched posts now: whatever a session sends next must follow them. */
  flushPosts(): void;
}

/**
 * How much may wait in a TLS socket before the server counts it as backed up (a relayed
 * file's offerer is paused then). A TLS socket keeps bytes until they are encrypted, so its
 * default 16 KiB would pause the offerer after every chunk.
 */
const TLS_WRITE_WINDOW_BYTES = 256 * 1024;

/** Where a connection is in its life. */
export type SessionState = 'pending' | 'registered' | 'closed';

/**
 * Server-side state of one connection: its registration, rooms, transfers and output
 * accounting. Handlers read and change it; the registry indexes it.
 */
export class ServerSession {
  readonly id: number;
  readonly conn: Connection<'server'>;
  /** `host:port` of the peer, for logs. */
  readonly address: string;
  /** `Date.now()` at accept (before any TLS handshake), for the registration deadline. */
  readonly connectedAt: number;
  /** `'tls'` or `'plain'`, for logs. */
  readonly transport: Peer['transport'];
  /** Names on the client certificate, or null without one: it may register only as these. */
  readonly certificateNames: readonly string[] | null;
  state: SessionState = 'pending';
  /** The registered name; empty until NEW_CLIENT succeeds. */
  name = '';
  readonly rooms = new Set<string>();
  /** Ids of the live transfers this session sends or receives. */
  readonly transfers = new Set<number>();
  /** How many of those it sends (offered or accepted). */
  offering = 0;
  /** Frames that arrived while a command waited on the cluster (`ServerContext.hold`). */
  held: ClientFrame[] | null = null;
  /**
   * A chunk from another node found this session's socket backed up: it holds that node's
   * offerer (by withholding credit) until it drains, and `blockedSince` says since when.
   */
  holdsRemote = false;
  /** Transfers to other nodes whose credit this session (as offerer) waits for. */
  remoteWaits = 0;
  /** Why the server is closing this session, once it decided to. */
  closeReason: string | null = null;
  /** The same, as `relaykit_disconnects_total` labels it; null means the client closed. */
  disconnect: DisconnectReason | null = null;
  /** Offerers whose reading is paused until this session's socket drains. */
  readonly blockedSenders = new Set<ServerSession>();
  /** Receivers this session (as an offerer) waits on; reading resumes when empty. */
  readonly blockedOn = new Set<ServerSession>();
  /** `Date.now()` when `blockedSenders` last became non-empty (0 while it is empty). */
  blockedSince = 0;

  /**
   * `Date.now()` since which its backed-up socket has been holding a sender back (a local
   * offerer or poster, or another node's offerer), or null while it holds no one.
   */
  get holdingSince(): number | null {
    return this.blockedSenders.size > 0 || this.holdsRemote ? this.blockedSince : null;
  }

  /**
   * Its backed-up socket holds another node's sender (a file's offerer, or posters to a
   * room): the stall clock starts unless it already holds someone.
   */
  holdRemote(): void {
    if (this.holdingSince === null) this.blockedSince = Date.now();
    this.holdsRemote = true;
  }
  /**
   * Ids of this session's transfers that ended because the other party left or cancelled:
   * chunks or replies already in flight for them are dropped, not treated as illegal.
   */
  readonly cancelled = new Set<number>();
  /** Relayed file bytes queued on this socket: exempt from the output limit. */
  #relayQueued = 0;
  readonly #owner: SessionOwner;

  constructor(id: number, socket: Socket, peer: Peer, owner: SessionOwner) {
    this.id = id;
    this.#owner = owner;
    this.connectedAt = peer.acceptedAt;
    this.address = peer.address;
    this.transport = peer.transport;
    this.certificateNames = peer.certificateNames;
    const counters = owner.counters;
    this.conn = new Connection(
      socket,
      {
        frame: (frame) => {
          counters.framesIn++;
          counters.framesInByKind[frame.kind]++;
          owner.frame(this, frame);
        },
        protocolError: (err) => owner.protocolError(this, err),
        close: () => owner.closed(this),
        drain: () => owner.drained(this),
        received: (bytes) => {
          counters.bytesIn += bytes;
        },
      },
      peer.transport === 'tls'
        ? { side: 'server', writeWindowBytes: TLS_WRITE_WINDOW_BYTES, flushPerTurn: true }
        : { side: 'server' },
    );
  }

  /**
   * Reads again unless something still holds it back: a backed-up receiver, a command
   * waiting on the cluster, or a transfer to another node out of credit.
   */
  resumeIfFree(): void {
    if (this.blockedOn.size === 0 && this.held === null && this.remoteWaits === 0) {
      this.conn.resume();
    }
  }

  /** Bytes queued for this client that are not relayed file data. */
  get queuedChatBytes(): number {
    return Math.max(0, this.conn.bufferedBytes - this.#relayQueued);
  }

  /**
   * Chat bytes the socket could not hand to the kernel: what the output limit counts. This
   * tick's frames are left out until they have been offered to the socket, since one read of
   * posts can fan out to more than a small limit in a single tick to a member that reads
   * everything; the next send after the flush counts them.
   */
  get backedUpChatBytes(): number {
    return Math.max(0, this.queuedChatBytes - this.conn.unflushedBytes);
  }

  /** Relayed file bytes still queued for this client. */
  get queuedRelayBytes(): number {
    return this.#relayQueued;
  }

  /**
   * Sends a frame built from fields the server already holds as valid (names from the
   * registry, text from the decoder), so it skips the text rules.
   */
  send(frame: ServerFrame): boolean {
    return this.sendRaw(encode(frame, { trusted: true }));
  }

  /** Queues one encoded frame; the same Buffer may go to many sessions. */
  sendRaw(bytes: Buffer, frameCount = 1): boolean {
    this.#owner.flushPosts();
    const counters = this.#owner.counters;
    counters.framesOut += frameCount;
    // Every frame of one buffer has the same kind (a post batch), so the first byte names it.
    counters.framesOutByKind[bytes[0]!]! += frameCount;
    counters.bytesOut += bytes.length;
    const ok = this.conn.sendRaw(bytes);
    if (!ok) this.#checkOutputLimit();
    return ok;
  }

  /**
   * Queues a USER_LISTING (`Listings` sends at most one per room at a time to a slow
   * reader, so the output limit counts each room's listing once); `flushed` runs once the
   * bytes have left the process or the connection is gone.
   */
  sendListing(bytes: Buffer, flushed: () => void): void {
    this.#owner.flushPosts();
    const counters = this.#owner.counters;
    counters.framesOut++;
    counters.framesOutByKind[Kind.USER_LISTING]!++;
    counters.bytesOut += bytes.length;
    if (this.conn.closing) {
      flushed();
      return;
    }
    if (!this.conn.sendRaw(bytes, flushed)) this.#checkOutputLimit();
  }

  /** The socket reported backpressure: past the output limit, the client is cut off. */
  #checkOutputLimit(): void {
    if (!this.conn.closing && this.backedUpChatBytes > this.#owner.maxOutputBytes) {
      this.#owner.overflow(this);
    }
  }

  /**
   * Queues a relayed file chunk as its 8-byte head and its data, which is a view of the
   * bytes read from the offerer (not copied; it pins that read until written). Its bytes do
   * not count towards the output limit: the relay bounds them itself by pausing the offerer
   * (CLARIFICATIONS §6.9).
   */
  relay(head: Uint8Array, data: Uint8Array, flushed?: () => void): boolean {
    this.#owner.flushPosts();
    const counters = this.#owner.counters;
    const n = head.length + data.length;
    counters.framesOut++;
    counters.framesOutByKind[Kind.FILE_TRANSFER]!++;
    counters.bytesOut += n;
    counters.fileBytesRelayed += data.length;
    if (this.conn.closing) return false;
    this.#relayQueued += n;
    this.conn.sendRaw(head);
    return this.conn.sendRaw(data, () => {
      this.#relayQueued -= n;
      flushed?.();
    });
  }
}
