import type { Client, OfferContext, OutgoingResult, PostEvent } from '../client/index.js';
import { acceptInMemory, OfferQueue, type OfferWait, type ReceivedFile } from './offers.js';

/** A test user: a connected client with helpers that wait for what a bot says and sends. */
export interface TestUser {
  /** The user's connected client, for anything the helpers do not cover. */
  readonly client: Client;
  /** Posts `text` in `room`. */
  say(room: string, text: string): Promise<void>;
  /**
   * The next post matching `filter` (from whom, in which room), within `timeoutMs` (default
   * 5000). Only posts that arrive after the call count: call it before the post that causes it.
   */
  nextPost(filter?: { from?: string; room?: string; timeoutMs?: number }): Promise<PostEvent>;
  /**
   * Offers `bytes` (a string is sent as UTF-8) to `to` as `fileName`; resolves once `to`
   * accepted and received every byte, rejects with the SDK's `TransferError` (`REJECTED`, …)
   * otherwise.
   *
   * @example
   * await ann.sendFile('sink', 'notes.txt', 'hello')
   */
  sendFile(to: string, fileName: string, bytes: Uint8Array | string): Promise<OutgoingResult>;
  /**
   * Accepts the next file offered to this user (by `from`), in memory, within `timeoutMs`
   * (default 5000) for the offer. Offers are kept from the moment the user connected, so
   * one the bot made before this call is taken too.
   *
   * @example
   * const file = await ann.nextFile({ from: 'files' })
   * expect(file.bytes.toString()).toBe('hello')
   */
  nextFile(filter?: OfferWait): Promise<ReceivedFile>;
  /**
   * The next offer made to this user, unanswered, for a test that rejects it
   * (`await offer.reject()`) or accepts it somewhere else.
   */
  nextOffer(filter?: OfferWait): Promise<OfferContext>;
}

/** Wraps a connected client (already in its rooms) in the test user's helpers. */
export function testUser(client: Client): TestUser {
  const offers = new OfferQueue(client);
  return {
    client,
    say: (room, text) => client.say(room, text),
    nextPost: (filter = {}) =>
      client.waitFor(
        'post',
        (p) =>
          (filter.from === undefined || p.from === filter.from) &&
          (filter.room === undefined || p.room === filter.room),
        { timeoutMs: filter.timeoutMs ?? 5000 },
      ),
    sendFile: (to, fileName, bytes) =>
      client.sendFile(to, typeof bytes === 'string' ? Buffer.from(bytes) : bytes, {
        name: fileName,
      }).done,
    nextFile: async (filter) => acceptInMemory(await offers.next(filter)),
    nextOffer: (filter) => offers.next(filter),
  };
}
