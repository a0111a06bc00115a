import type { ServerAddress } from '../address.js';
import type { ContextClient } from './context-client.js';
import { type Frame, frames, validateFarewell } from '../protocol/index.js';
import { TypedEmitter } from './emitter.js';
import { ClientError } from './errors.js';
import {
  CLIENT_EVENTS,
  type ClientEvents,
  type DirectContext,
  type Matched,
  type OfferContext,
  type PostContext,
  type PostEvent,
} from './events.js';
import type { DirectFilter, OfferFilter, PostFilter } from './filters.js';
import { Handlers } from './handlers.js';
import { Lifecycle } from './lifecycle.js';
import { checkName, toMessages } from './messages.js';
import type { ResolvedConnectOptions } from './options.js';
import { Outbox } from './outbox.js';
import { PostWindow } from './post-window.js';
import type { OutgoingTransfer, SendFileOptions, FileSource } from './outgoing-transfer.js';
import { TokenBucket } from './rate-limit.js';
import { RoomState } from './rooms.js';
import type { ClientSession } from './session.js';
import {
  type EventStream,
  eventStream,
  type StreamBound,
  type WaitForOptions,
  waitFor,
} from './streams.js';
import { Transfers } from './transfers.js';

/**
 * A registered connection to a relay server: typed events, handlers with `reply`, commands
 * that return promises, file transfers and (opt-in) reconnection. Get one from `connect()`.
 *
 * @example
 * const client = await connect({ name: 'echo', port: 17734 })
 * await client.join('lobby')
 * client.onPost({ room: 'lobby', match: /^!echo (.+)/ }, (ctx) => ctx.reply(ctx.match[1]!))
 */
export class Client implements ContextClient {
  /** The name this client registered. */
  readonly name: string;
  readonly #opts: ResolvedConnectOptions;
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #outbox: Outbox;
  readonly #window: PostWindow;
  readonly #rooms: RoomState;
  readonly #transfers: Transfers;
  readonly #handlers: Handlers;
  readonly #life: Lifecycle;

  /**
   * @internal Use `connect()`; it registers the session before handing it here, with the
   * index in `opts.servers` of its server.
   */
  constructor(session: ClientSession, opts: ResolvedConnectOptions, at = 0) {
    this.name = opts.name;
    this.#opts = opts;
    this.#events = new TypedEmitter<ClientEvents>(CLIENT_EVENTS, (err, event, payload) => {
      // An 'error' listener that fails is not fed its own failure (that would never end).
      if (event === 'error') process.emitWarning(toError(err));
      else this.#report(err, { event, payload });
    });
    const bucket = opts.rateLimit
      ? new TokenBucket(opts.rateLimit.perSecond, opts.rateLimit.burst)
      : null;
    this.#handlers = new Handlers(this, this.#events, (err, context) => this.#report(err, context));
    this.#window = new PostWindow(opts.postWindow);
    this.#outbox = new Outbox(bucket, opts.whileDisconnected, this.#window);
    this.#rooms = new RoomState(opts.name);
    this.#transfers = new Transfers({
      client: this,
      self: opts.name,
      send: (job) => this.#outbox.send(job),
      emit: (event, payload) => this.#events.emit(event, payload),
      offerClaimed: (offer) => this.#handlers.offerClaimed(offer),
      report: (err, context) => this.#report(err, context),
      isOnline: (name, session) =>
        this.#request(
          [frames.queryUser(name)],
          0,
          () => this.#life.presence.expectQuery(name, true),
          { bind: session },
        ),
    });
    this.#life = new Lifecycle(
      {
        opts,
        events: this.#events,
        outbox: this.#outbox,
        window: this.#window,
        rooms: this.#rooms,
        transfers: this.#transfers,
      },
      session,
      at,
    );
  }

  /**
   * The server this client is connected to: `{ host, port }` (`tls: true` over TLS). While it
   * reconnects, the server it lost; with `servers`, a reconnection may move it to another.
   *
   * @example
   * client.on('reconnect', () => console.log(`now on ${client.server.host}:${client.server.port}`))
   */
  get server(): ServerAddress {
    return this.#life.server;
  }

  /** True while registered and connected. */
  get connected(): boolean {
    return this.#life.connected;
  }

  /** Rooms the server has confirmed you are in, in this connection. */
  get joined(): ReadonlySet<string> {
    return this.#rooms.joined;
  }

  /** True once the client is finished for good (closed, or gave up reconnecting). */
  get finished(): boolean {
    return this.#life.finished;
  }

  /** Offers this client answered (accepted or rejected, each once) since it was created. */
  get offersAnswered(): Readonly<{ accepted: number; rejected: number }> {
    return this.#transfers.answers;
  }

  /**
   * Calls `fn` with the name of every event that had at least one listener, before the
   * listeners run (`relaykit run --metrics` counts a module bot's handled events with it).
   * One observer at a time; returns the function that removes it.
   *
   * @example
   * const off = client.observeHandled((event) => handled.set(event, (handled.get(event) ?? 0) + 1))
   */
  observeHandled(fn: (event: keyof ClientEvents) => void): () => void {
    this.#events.onHandled = fn;
    return () => {
      if (this.#events.onHandled === fn) this.#events.onHandled = null;
    };
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   *
   * @example
   * const off = client.on('members', ({ room, joined }) => console.log(room, joined))
   */
  on<E extends keyof ClientEvents>(
    event: E,
    fn: (payload: ClientEvents[E]) => unknown,
  ): () => void {
    return this.#events.on(event, fn);
  }

  /**
   * Like `on`, for one event only.
   *
   * @example
   * client.once('reconnect', ({ attempt }) => console.log(`back after ${attempt} attempts`))
   */
  once<E extends keyof ClientEvents>(
    event: E,
    fn: (payload: ClientEvents[E]) => unknown,
  ): () => void {
    return this.#events.once(event, fn);
  }

  /**
   * Runs `fn` for each room post that passes the filter. `ctx.reply(text)` posts in the same
   * room. A handler that throws or rejects is reported through the `error` event.
   *
   * @example
   * client.onPost({ room: 'ops', match: /^!ping/ }, (ctx) => ctx.reply('pong'))
   */
  onPost(fn: (ctx: PostContext) => unknown): () => void;
  onPost(
    filter: PostFilter & { match: RegExp },
    fn: (ctx: Matched<PostContext>) => unknown,
  ): () => void;
  onPost(filter: PostFilter, fn: (ctx: PostContext) => unknown): () => void;
  onPost(
    a: PostFilter | ((ctx: PostContext) => unknown),
    b?: ((ctx: PostContext) => unknown) | ((ctx: Matched<PostContext>) => unknown),
  ): () => void {
    // A handler typed for Matched only ever gets matched contexts: with a `match` filter a
    // miss never reaches it (filters.ts).
    return this.#handlers.post(a, b as ((ctx: PostContext) => unknown) | undefined);
  }

  /**
   * Runs `fn` for each direct message that passes the filter; `ctx.reply` answers the sender.
   *
   * @example
   * client.onDirect({ match: /^help$/i }, (ctx) => ctx.reply('try !ping in #ops'))
   */
  onDirect(fn: (ctx: DirectContext) => unknown): () => void;
  onDirect(
    filter: DirectFilter & { match: RegExp },
    fn: (ctx: Matched<DirectContext>) => unknown,
  ): () => void;
  onDirect(filter: DirectFilter, fn: (ctx: DirectContext) => unknown): () => void;
  onDirect(
    a: DirectFilter | ((ctx: DirectContext) => unknown),
    b?: ((ctx: DirectContext) => unknown) | ((ctx: Matched<DirectContext>) => unknown),
  ): () => void {
    // A handler typed for Matched only ever gets matched contexts: with a `match` filter a
    // miss never reaches it (filters.ts).
    return this.#handlers.direct(a, b as ((ctx: DirectContext) => unknown) | undefined);
  }

  /**
   * Runs `fn` for each file offer that passes the filter (`match` tests the file name).
   * Accept or reject it with `ctx.accept({ dir })` / `ctx.reject()`.
   *
   * @example
   * client.onOffer({ match: /\.csv$/ }, (ctx) => ctx.accept({ dir: './inbox', maxSize: 10e6 }))
   */
  onOffer(fn: (ctx: OfferContext) => unknown): () => void;
  onOffer(
    filter: OfferFilter & { match: RegExp },
    fn: (ctx: Matched<OfferContext>) => unknown,
  ): () => void;
  onOffer(filter: OfferFilter, fn: (ctx: OfferContext) => unknown): () => void;
  onOffer(
    a: OfferFilter | ((ctx: OfferContext) => unknown),
    b?: ((ctx: OfferContext) => unknown) | ((ctx: Matched<OfferContext>) => unknown),
  ): () => void {
    // A handler typed for Matched only ever gets matched contexts: with a `match` filter a
    // miss never reaches it (filters.ts).
    return this.#handlers.offer(a, b as ((ctx: OfferContext) => unknown) | undefined);
  }

  /**
   * Room posts as an async iterable (of one room, or all). Ends when `signal` aborts or the
   * client finishes. At most `maxBuffered` posts (default 10,000) wait for a busy consumer;
   * beyond that the stream ends with `ClientError('OVERFLOW')` after yielding them, or with
   * `overflow: 'drop-oldest'` drops the oldest and counts it in `dropped`.
   *
   * @example
   * for await (const post of client.posts({ room: 'ops', signal })) console.log(post.text)
   */
  posts(opts: { room?: string; signal?: AbortSignal } & StreamBound = {}): EventStream<PostEvent> {
    const room = opts.room;
    return eventStream(
      this,
      'post',
      (p) => room === undefined || p.room === room,
      opts.signal,
      opts,
    );
  }

  /**
   * Resolves with the next `event` whose payload passes `predicate`.
   *
   * @example
   * const { text } = await client.waitFor('direct', (d) => d.from === 'alice', { timeoutMs: 5000 })
   */
  waitFor<E extends keyof ClientEvents>(
    event: E,
    predicate?: (payload: ClientEvents[E]) => boolean,
    opts?: WaitForOptions,
  ): Promise<ClientEvents[E]> {
    return waitFor(this, event, predicate, opts);
  }

  /**
   * Joins (or creates) `room`; resolves with its members once the server lists you in it.
   * The room is rejoined after a reconnection.
   *
   * @example
   * const members = await client.join('ops')
   */
  async join(room: string): Promise<string[]> {
    checkName(room, 'room name');
    const wanted = this.#rooms.wanted;
    const fresh = !wanted.has(room);
    wanted.add(room);
    if (this.#rooms.joined.has(room)) return this.#rooms.members(room);
    try {
      return await this.#request([frames.enterRoom(room)], 0, () => this.#rooms.expectJoin(room), {
        // Queued while away, and rejoined meanwhile (the rejoin enters every wanted room).
        skipIf: () => this.#rooms.joined.has(room),
        instead: () => this.#rooms.members(room),
      });
    } catch (err) {
      // Refused before anything was sent: a later reconnection must not join it behind your back.
      if (fresh && (err as ClientError).code === 'NOT_CONNECTED') wanted.delete(room);
      throw err;
    }
  }

  /**
   * Leaves `room` (it is not rejoined after a reconnection); resolves once the request is sent.
   * Without a connection it resolves at once: the server dropped the membership with the
   * connection, and the request still goes out on the next one (in case a rejoin raced it).
   *
   * @example
   * await client.leave('ops')
   */
  async leave(room: string): Promise<void> {
    checkName(room, 'room name');
    this.#rooms.left(room);
    const sent = this.#outbox.send({ frames: [frames.leaveRoom(room)], cost: 0, flush: true });
    // Waiting here for a reconnection would hold up a shutdown for as long as the server is
    // away (an archiver SIGTERMed together with its server hung for minutes this way).
    if (this.connected) return sent;
    sent.catch(() => undefined);
  }

  /**
   * Asks the server for the names of all rooms that have members.
   *
   * @example
   * const rooms = await client.rooms() // ['dev', 'ops']
   */
  async rooms(): Promise<string[]> {
    return this.#request([frames.listRooms()], 0, () => this.#rooms.expectList());
  }

  /**
   * The members of `room` from the latest listing (empty if you are not in it). No round trip.
   *
   * @example
   * if (client.members('ops').includes('alice')) await client.say('ops', 'hi alice')
   */
  members(room: string): string[] {
    return this.#rooms.members(room);
  }

  /**
   * Asks the server whether `name` is online.
   *
   * @example
   * if (!(await client.isOnline('alice'))) console.log('alice is away')
   */
  async isOnline(name: string): Promise<boolean> {
    checkName(name, 'user name');
    return this.#request([frames.queryUser(name)], 0, () => this.#life.presence.expectQuery(name));
  }

  /**
   * Posts `text` to `room` (joined first with `join`). Several lines or a long text go out as
   * several valid messages; invalid text is refused before anything is sent. Resolves once
   * written to the connection; at most `postWindow` posts per room wait for the server's echo
   * (their acknowledgement) at a time, so a burst of `say` calls is paced by the server. With
   * `reconnect`, posts whose echo never came are resent after reconnecting. `acknowledged()`
   * waits for the echoes.
   *
   * @example
   * await client.say('ops', 'deploy done\nall green')
   */
  async say(room: string, text: string): Promise<void> {
    checkName(room, 'room name');
    if (!this.#rooms.wanted.has(room)) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `Not in room ${JSON.stringify(room)}; await client.join(${JSON.stringify(room)}) first`,
      );
    }
    const parts = toMessages(text);
    await this.#outbox.send({
      frames: parts.map((p) => frames.send(room, p)),
      cost: parts.length,
      posts: { room, texts: parts },
    });
  }

  /**
   * Resolves once the server has echoed every post said so far (and any said meanwhile):
   * the protocol's only acknowledgement that it took them. Rejects if the client finishes
   * first (with `reconnect`, a dropped connection only delays it: the posts are resent).
   *
   * @example
   * for (const line of lines) await client.say('ops', line)
   * await client.acknowledged() // every line reached the server
   */
  async acknowledged(): Promise<void> {
    // An empty job settles once everything queued before it is written. With nothing queued
    // every post so far is already in the window, and a job would wait for a reconnection
    // (whileDisconnected 'queue') even when every echo came back before the connection went.
    if (this.#outbox.pending > 0 || this.finished) await this.#outbox.send({ frames: [], cost: 0 });
    await this.#window.idle();
  }

  /** Posts written and not yet echoed by the server (see `acknowledged()`). */
  get unacknowledged(): number {
    return this.#window.unacked;
  }

  /**
   * Posts `text` to every room you are in (split like `say`).
   *
   * @example
   * await client.broadcast('restarting in 5 minutes')
   */
  async broadcast(text: string): Promise<void> {
    const parts = toMessages(text);
    const layout = this.#opts.broadcastLayout;
    await this.#outbox.send({
      frames: parts.map((p) => frames.broadcast(p, layout)),
      cost: parts.length,
      flush: true,
    });
  }

  /**
   * Sends `text` to user `name`. Resolves `{ delivered: false }` when the server reports the
   * recipient offline (the message was dropped).
   *
   * @example
   * const { delivered } = await client.direct('alice', 'build is red')
   */
  async direct(name: string, text: string): Promise<{ delivered: boolean }> {
    checkName(name, 'user name');
    const parts = toMessages(text);
    const out: Frame[] = parts.map((p) => frames.directTo(name, p));
    out.push(frames.queryUser(this.name)); // the ordering barrier (see presence.ts)
    const delivered = await this.#request(out, parts.length, () =>
      this.#life.presence.expectDirect(name),
    );
    return { delivered };
  }

  /**
   * Offers a file (a path, a Buffer, or a Readable with `opts.size`) to user `to`; returns a
   * transfer with progress events, `cancel()` and `done`.
   *
   * @example
   * const t = client.sendFile('bob', './report.pdf')
   * t.on('progress', ({ bytes, rate }) => console.log(bytes, rate))
   * await t.done
   */
  sendFile(to: string, source: FileSource, opts: SendFileOptions = {}): OutgoingTransfer {
    return this.#transfers.sendFile(to, source, opts);
  }

  /**
   * Says goodbye (CLIENT_DEPARTS with `farewell`), waits for it to be flushed and closes.
   * Sends queued before are written first (except while a new connection is still rejoining
   * rooms: then they fail with CLOSED). No reconnection follows.
   *
   * @example
   * await client.close('shutting down')
   */
  close(farewell: string = this.#opts.farewell): Promise<void> {
    const text = farewell === '' ? 'bye' : farewell;
    try {
      validateFarewell(text); // refuse a bad farewell before anything happens
    } catch (err) {
      return Promise.reject(
        new ClientError('INVALID_ARGUMENT', `Invalid farewell: ${(err as Error).message}`, {
          cause: err,
        }),
      );
    }
    return this.#life.close(text);
  }

  /**
   * Writes `out` via the outbox and waits for the answer `expect` registers when written.
   * With `bind`, only on that connection (else it fails with DISCONNECTED); when `skipIf`
   * holds at writing time, nothing is written and `instead` gives the answer.
   */
  async #request<T>(
    out: Frame[],
    cost: number,
    expect: () => Promise<T>,
    extra: { bind?: ClientSession; skipIf?: () => boolean; instead?: () => T } = {},
  ): Promise<T> {
    let answer: Promise<T> | undefined;
    await this.#outbox.send({
      frames: out,
      cost,
      ...(extra.bind === undefined ? {} : { bind: extra.bind }),
      ...(extra.skipIf === undefined ? {} : { skipIf: extra.skipIf }),
      onWritten: () => {
        answer = expect();
        answer.catch(() => undefined); // awaited below; this only stops an early unhandled rejection
      },
    });
    return answer ?? extra.instead!();
  }

  #report(err: unknown, context: unknown): void {
    const error = toError(err);
    // Without an 'error' listener the failure still surfaces, without killing the process.
    if (!this.#events.emit('error', { error, context })) process.emitWarning(error);
  }
}

function toError(err: unknown): Error {
  return err instanceof Error
    ? err
    : new ClientError('HANDLER_FAILED', `A handler failed with ${String(err)}`, { cause: err });
}
