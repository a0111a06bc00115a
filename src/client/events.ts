import type { ServerAddress } from '../address.js';
import type { ContextClient } from './context-client.js';
import type { IncomingTransfer } from './incoming-transfer.js';
import type {
  AcceptTarget,
  DirectEvent,
  DisconnectReason,
  MembersEvent,
  OfferEvent,
  PostEvent,
  TransferEvent,
} from './payloads.js';

export type {
  AcceptTarget,
  DirectEvent,
  DisconnectReason,
  MembersEvent,
  OfferEvent,
  PostEvent,
  TransferEvent,
} from './payloads.js';

/** What `onPost` handlers get: the post, and a `reply` that posts in the same room. */
export interface PostContext extends PostEvent {
  client: ContextClient;
  /** The `match` filter's result, or null without one. */
  match: RegExpMatchArray | null;
  /** Posts `text` to the room the post came from (split into valid messages). */
  reply(text: string): Promise<void>;
}

/** What `onDirect` handlers get: the message, and a `reply` that answers the sender directly. */
export interface DirectContext extends DirectEvent {
  client: ContextClient;
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

/** The `offer` event's payload: the offer, with `accept` and `reject`. */
export interface OfferContext extends OfferEvent {
  client: ContextClient;
  match: RegExpMatchArray | null;
  /** Accepts the file into a directory or a stream. Call once; a second call throws. */
  accept(to: AcceptTarget): IncomingTransfer;
  /** Declines the offer. */
  reject(): Promise<void>;
}

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
  /** A reconnection attempt to `server` is scheduled in `delayMs`. */
  reconnecting: { attempt: number; delayMs: number; server: ServerAddress };
  /** Registered again on `server` (and back in your rooms) after `attempt` attempts. */
  reconnect: { attempt: number; server: ServerAddress };
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
