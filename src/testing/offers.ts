import { Writable } from 'node:stream';
import type { Client, OfferContext } from '../client/index.js';
import { RelayKitError } from '../errors.js';

/** A file a test user accepted, held in memory. */
export interface ReceivedFile {
  /** Who offered it. */
  readonly from: string;
  /** The name it was offered under. */
  readonly fileName: string;
  /** Every byte of it. */
  readonly bytes: Buffer;
  /** Its hex SHA-256, as the transfer computed it. */
  readonly sha256: string;
}

/** Which offers `nextOffer`/`nextFile` take. */
export interface OfferWait {
  /** Only offers from this user. */
  from?: string;
  /** Give up after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

/** No offer matching the wait came in time. */
export class OfferTimeoutError extends RelayKitError {
  constructor(user: string, filter: OfferWait, ms: number) {
    super(
      'TIMEOUT',
      `${user} was offered no file${filter.from ? ` by ${filter.from}` : ''} within ${ms} ms; check that the bot offers one to ${user}, or raise timeoutMs`,
    );
  }
}

interface Waiter {
  filter: OfferWait;
  resolve(offer: OfferContext): void;
}

/**
 * Keeps every offer made to a test user from the moment the user connects, unanswered, until
 * the test takes it: a bot that offers before the test asks for the file is not rejected
 * (the client rejects offers nobody listens for at once).
 */
export class OfferQueue {
  readonly #client: Client;
  readonly #offers: OfferContext[] = [];
  readonly #waiters = new Set<Waiter>();

  constructor(client: Client) {
    this.#client = client;
    client.on('offer', (offer) => {
      for (const w of this.#waiters) {
        if (matches(offer, w.filter)) {
          this.#waiters.delete(w);
          w.resolve(offer);
          return;
        }
      }
      this.#offers.push(offer);
    });
  }

  /** The next offer matching `filter` (one already made first), unanswered. */
  next(filter: OfferWait = {}): Promise<OfferContext> {
    const i = this.#offers.findIndex((o) => matches(o, filter));
    if (i >= 0) return Promise.resolve(this.#offers.splice(i, 1)[0]!);
    const ms = filter.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new OfferTimeoutError(this.#client.name, filter, ms));
      }, ms);
      const waiter: Waiter = {
        filter,
        resolve: (offer) => {
          clearTimeout(timer);
          resolve(offer);
        },
      };
      this.#waiters.add(waiter);
    });
  }
}

function matches(offer: OfferContext, filter: OfferWait): boolean {
  return filter.from === undefined || offer.from === filter.from;
}

/** Accepts `offer` into memory and resolves with its bytes once the last one arrived. */
export async function acceptInMemory(offer: OfferContext): Promise<ReceivedFile> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const { sha256 } = await offer.accept({ stream: sink }).done;
  return { from: offer.from, fileName: offer.fileName, bytes: Buffer.concat(chunks), sha256 };
}
