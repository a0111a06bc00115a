import type { FileSource, OutgoingTransfer, SendFileOptions } from './outgoing-transfer.js';

/**
 * The client as a handler context carries it (`ctx.client`): its commands, without its event
 * registration. `Client` implements it. Contexts name this rather than `Client`, so the
 * modules that build contexts need not import the class that imports them.
 *
 * @example
 * client.onPost({ match: /^!ping$/ }, (ctx) => ctx.client.direct(ctx.from, 'pong'))
 */
export interface ContextClient {
  /** The registered name. */
  readonly name: string;
  /** True while registered on a live connection. */
  readonly connected: boolean;
  /** Joins a room; resolves with its members. */
  join(room: string): Promise<string[]>;
  /** Leaves a room. */
  leave(room: string): Promise<void>;
  /** Lists the server's rooms. */
  rooms(): Promise<string[]>;
  /** The last member list received for a room you are in. */
  members(room: string): string[];
  /** Asks whether a user is online. */
  isOnline(name: string): Promise<boolean>;
  /** Posts to a room (split into valid messages). */
  say(room: string, text: string): Promise<void>;
  /** Posts to every room. */
  broadcast(text: string): Promise<void>;
  /** Sends a direct message; `delivered` is false when the user was offline. */
  direct(name: string, text: string): Promise<{ delivered: boolean }>;
  /** Offers a file to a user. */
  sendFile(to: string, source: FileSource, opts?: SendFileOptions): OutgoingTransfer;
  /** Says goodbye and closes. */
  close(farewell?: string): Promise<void>;
}
