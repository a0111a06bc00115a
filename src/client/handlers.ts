import type { ContextClient } from './context-client.js';
import { isThenable, type TypedEmitter } from './emitter.js';
import type { ClientEvents, DirectContext, OfferContext, PostContext } from './events.js';
import {
  compileFilter,
  type DirectFilter,
  handlerArgs,
  type OfferFilter,
  type PostFilter,
} from './filters.js';

/**
 * Builds the contexts that `onPost`/`onDirect`/`onOffer` handlers get, applies their filters,
 * and routes a handler's throw or rejection to `report` (the `error` event) with the context.
 */
export class Handlers {
  readonly #client: ContextClient;
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #report: (err: unknown, context: unknown) => void;
  readonly #claimed = new WeakSet<object>();
  #offerHandlers = 0;

  constructor(
    client: ContextClient,
    events: TypedEmitter<ClientEvents>,
    report: (err: unknown, context: unknown) => void,
  ) {
    this.#client = client;
    this.#events = events;
    this.#report = report;
  }

  post(
    a: PostFilter | ((ctx: PostContext) => unknown),
    b?: (ctx: PostContext) => unknown,
  ): () => void {
    const { filter, fn } = handlerArgs('onPost', a, b);
    const test = compileFilter('onPost', filter, ['room', 'from', 'self', 'match']);
    return this.#events.on('post', (post) => {
      const match = test({ room: post.room, from: post.from, self: post.self, subject: post.text });
      if (match === false) return;
      this.#run(fn, {
        ...post,
        client: this.#client,
        match,
        reply: (text) => this.#client.say(post.room, text),
      });
    });
  }

  direct(
    a: DirectFilter | ((ctx: DirectContext) => unknown),
    b?: (ctx: DirectContext) => unknown,
  ): () => void {
    const { filter, fn } = handlerArgs('onDirect', a, b);
    const test = compileFilter('onDirect', filter, ['from', 'match']);
    return this.#events.on('direct', (dm) => {
      const match = test({ from: dm.from, subject: dm.text });
      if (match === false) return;
      this.#run(fn, {
        ...dm,
        client: this.#client,
        match,
        reply: async (text) => {
          await this.#client.direct(dm.from, text);
        },
      });
    });
  }

  offer(
    a: OfferFilter | ((ctx: OfferContext) => unknown),
    b?: (ctx: OfferContext) => unknown,
  ): () => void {
    const { filter, fn } = handlerArgs('onOffer', a, b);
    const test = compileFilter('onOffer', filter, ['from', 'match']);
    const off = this.#events.on('offer', (offer) => {
      const match = test({ from: offer.from, subject: offer.fileName });
      if (match === false) return;
      this.#claimed.add(offer);
      const ctx = { ...offer, match };
      // A handler that failed before answering would leave the sender waiting for good.
      this.#run(fn, ctx, () => void ctx.reject().catch(() => undefined));
    });
    this.#offerHandlers++;
    let subscribed = true;
    return () => {
      if (subscribed) this.#offerHandlers--;
      subscribed = false;
      off();
    };
  }

  /**
   * True when someone will answer `offer`: a plain `on('offer')` listener (it sees every
   * offer), or an `onOffer` handler whose filter let it through. Otherwise it is rejected, so
   * the sender is not left waiting.
   */
  offerClaimed(offer: object): boolean {
    return this.#events.listenerCount('offer') > this.#offerHandlers || this.#claimed.has(offer);
  }

  #run<C>(fn: (ctx: C) => unknown, ctx: C, onFail?: () => void): void {
    const failed = (err: unknown): void => {
      this.#report(err, ctx);
      onFail?.();
    };
    try {
      const result = fn(ctx);
      if (isThenable(result)) result.then(undefined, failed);
    } catch (err) {
      failed(err);
    }
  }
}
