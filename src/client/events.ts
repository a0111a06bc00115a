import type { Client } from './client.js';
import type { IncomingTransfer } from './incoming-transfer.js';

/** A message posted to a room you are in. `self` is true for your own posts echoed back. */
export interface PostEvent {
  room: string;
  from: string;
  text: string;
  self: boolean;
}

/** A direct message sent to you. */
export interface DirectEvent {
  from: string;
  text: string;
}

/** A file someone offers you; `id` is the server's transfer id. */
export interface OfferEvent {
  id: number;
  from: string;
  fileName: string;
  size: number;
}

/** A room's member list changed; `joined` and `left` are the difference to the previous one. */
export interface MembersEvent {
  room: string;
  members: string[];
  joined: string[];
  left: string[];
}

/** What `onPost` handlers get: the post, and a `reply` that posts in the same room. */
export interface PostContext extends PostEvent {
  client: Client;
  /** The `match` filter's result, or null without one. */
  match: RegExpMatchArray | null;
  /** Posts `text` to the room the post came from (split into valid messages). */
  reply(text: string): Promise<void>;
}

/** What `onDirect` handlers get: the message, and a `reply` that answers the sender directly. */
export interface DirectContext extends DirectEvent {
  client: Client;
  match: RegExpMatchArray | null;
  /** Sends `text` to the sender as a direct message. */
  reply(text: string): Promise<void>;
}

/**
 * A handler context whose filter had a `match`: the handler only runs when it matched, so
 * `ctx.match` is never null.
 *
 * @example
 * client.onPost({ match: /^!echo (.+)/ }, (ctx) => ctx.reply(ctx.match[1]!)) // no `!` on match
 */
export type Matched<C extends { match: RegExpMatchArray | null }> = C & {
  match: RegExpMatchArray;
};

/** Where an accepted file goes: a directory (written safely) or a stream of your own. */
export type AcceptTarget = (
  | {
      /** Directory to write into; the file appears there only once complete. */
      dir: string;
      /** When the name exists: `'rename'` (default: "report (1).txt"), `'overwrite'`, `'fail'`. */
      conflict?: 'rename' | 'overwrite' | 'fail';
      /** Save under this name instead of the offered one (made safe the same way). */
      name?: string;
    }
  | { stream: NodeJS.WritableStream }
) & {
  /** Refuse (reject) the offer when it declares more bytes than this. */
  maxSize?: number;
  /**
   * Fail with TIMEOUT (and tell the sender with REJECT_FILE) when no byte arrives for this many
   * milliseconds after the ACCEPT, not counting time spent waiting for your own disk or
   * stream. A sender whose connection silently died is otherwise noticed only when the server
   * notices it. Default 60,000; `Infinity` waits for ever (a sender streaming a slow source).
   */
  idleTimeoutMs?: number;
};

/** The `offer` event's payload: the offer, with `accept` and `reject`. */
export interface OfferContext extends OfferEvent {
  client: Client;
  match: RegExpMatchArray | null;
  /** Accepts the file into a directory or a stream. Call once; a second call throws. */
  accept(to: AcceptTarget): IncomingTransfer;
  /** Declines the offer. */
  reject(): Promise<void>;
}

/** Progress, completion or failure of a file transfer, in either direction. */
export interface TransferEvent {
  id: number;
  direction: 'in' | 'out';
  peer: string;
  fileName: string;
  size: number;
  bytes: number;
  /** Average bytes per second since the transfer started. */
  rate: number;
  state: 'progress' | 'done' | 'failed';
  /** Incoming transfers into a directory: where the file is (or will be). */
  path?: string;
  error?: Error;
}

/** Why a connection ended: see `ClientEvents['disconnect']`. */
export type DisconnectReason =
  | 'closed'
  | 'server-departed'
  | 'timeout'
  | 'server-error'
  | 'protocol-error'
  | 'socket-error';

/**
 * Every event a `Client` emits, mapped to its payload.
 *
 * @example
 * client.on('members', ({ room, joined }) => console.log(`${joined.join(', ')} came to ${room}`))
 */
export interface ClientEvents {
  /** A room message (POST_MESSAGE) in a room you are in. */
  post: PostEvent;
  /** A direct message to you. */
  direct: DirectEvent;
  /**
   * Someone offers you a file: accept or reject it. An offer that no `on('offer')` listener and
   * no matching `onOffer` handler takes is rejected at once.
   */
  offer: OfferContext;
  /** A room's member list (USER_LISTING), solicited or not. */
  members: MembersEvent;
  /** The list of rooms (ROOM_LISTING), solicited or not. */
  rooms: { rooms: string[] };
  /** An answer about a user's presence (QUERY_USER), including "offline" after a direct. */
  presence: { name: string; online: boolean };
  /** File transfer progress, completion and failure. */
  transfer: TransferEvent;
  /** A handler threw, or something failed with nobody awaiting it. `context` says where. */
  error: { error: Error; context?: unknown };
  /** The connection ended. `farewell` is the server's SERVER_DEPARTS text. */
  disconnect: {
    reason: DisconnectReason;
    farewell?: string;
    error?: Error;
    willReconnect: boolean;
  };
  /** A reconnection attempt is scheduled in `delayMs`. */
  reconnecting: { attempt: number; delayMs: number };
  /** Registered again (and back in your rooms) after `attempt` attempts. */
  reconnect: { attempt: number };
  /** The client is finished for good: `close()`, a disconnect without reconnection, or given up. */
  close: { reason: 'closed' | 'disconnected' | 'reconnect-failed'; error?: Error };
}

/** Every event name, in one table that drives both the runtime check and the types. */
export const CLIENT_EVENTS = [
  'post',
  'direct',
  'offer',
  'members',
  'rooms',
  'presence',
  'transfer',
  'error',
  'disconnect',
  'reconnecting',
  'reconnect',
  'close',
] as const satisfies readonly (keyof ClientEvents)[];
