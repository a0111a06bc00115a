import {
  type AcceptFileFrame,
  type FileNegotiation,
  type FileTransferFrame,
  type Frame,
  frames,
  Kind,
  type OfferFileFrame,
  type RejectFileFrame,
} from '../protocol/index.js';
import type { ContextClient } from './context-client.js';
import { ClientError, TransferError } from './errors.js';
import type { AcceptTarget, ClientEvents, OfferContext, TransferEvent } from './events.js';
import { IncomingTransfer } from './incoming-transfer.js';
import { checkName } from './messages.js';
import type { OutboxJob } from './outbox.js';
import { type FileSource, OutgoingTransfer, type SendFileOptions } from './outgoing-transfer.js';
import type { ClientSession } from './session.js';

/** What the transfer manager needs from its client. */
export interface TransferDeps {
  client: ContextClient;
  self: string;
  send(job: OutboxJob): Promise<void>;
  emit<E extends 'transfer' | 'offer'>(event: E, payload: ClientEvents[E]): boolean;
  /** After the `offer` event: whether any listener or matching handler took the offer. */
  offerClaimed(offer: OfferContext): boolean;
  report(err: unknown, context: unknown): void;
  /** QUERY_USER on `session` only: tells a receiver who cancelled from one who left. */
  isOnline(name: string, session: ClientSession): Promise<boolean>;
}

type Negotiation = OfferFileFrame | AcceptFileFrame | RejectFileFrame;

/**
 * Every file transfer of one client, both ways. Outgoing offers carry no id (the server picks
 * it), so an ACCEPT/REJECT is matched to the oldest pending offer with the same target, file
 * name and size; after that, the id identifies the transfer. Several run at once each way.
 */
export class Transfers {
  /** Offers answered on this client, each once, since it was created (for metrics). */
  readonly answers = { accepted: 0, rejected: 0 };
  readonly #deps: TransferDeps;
  readonly #offered: OutgoingTransfer[] = [];
  readonly #outgoing = new Map<number, OutgoingTransfer>();
  readonly #incoming = new Map<number, IncomingTransfer>();
  #session: ClientSession | null = null;

  constructor(deps: TransferDeps) {
    this.#deps = deps;
  }

  /** Starts an outgoing transfer (see `Client.sendFile`). */
  sendFile(to: string, source: FileSource, opts: SendFileOptions): OutgoingTransfer {
    const emit = (e: TransferEvent): void => void this.#deps.emit('transfer', e);
    const t = new OutgoingTransfer(
      {
        self: this.#deps.self,
        send: this.#deps.send,
        emit,
        confirm: (session) =>
          session === undefined ? Promise.resolve(true) : this.#deps.isOnline(to, session),
      },
      to,
      source,
      opts,
    );
    t.reportListenerError = this.#deps.report;
    try {
      checkName(to, 'recipient');
    } catch (err) {
      t.abort(new TransferError('INVALID_ARGUMENT', (err as Error).message, { cause: err }));
      return t;
    }
    void t.ready
      .then(
        () =>
          t.settled // cancelled while its size was being read: nothing to offer
            ? undefined
            : this.#deps.send({
                frames: [frames.offer(t.negotiation)],
                cost: 0,
                onWritten: () => {
                  this.#offered.push(t);
                  t.offered();
                },
              }),
        () => undefined,
      )
      .catch((err: unknown) =>
        t.abort(
          new TransferError(
            'DISCONNECTED',
            `The offer of ${t.fileName} could not be sent: ${(err as Error).message}`,
            { cause: err },
          ),
        ),
      );
    return t;
  }

  /** Routes OFFER/ACCEPT/REJECT/FILE_TRANSFER frames. */
  onFrame(frame: Negotiation | FileTransferFrame, session: ClientSession): void {
    this.#session = session;
    switch (frame.kind) {
      case Kind.OFFER_FILE:
        this.#onOffer(frame);
        return;
      case Kind.ACCEPT_FILE:
        this.#onReply(frame, true);
        return;
      case Kind.REJECT_FILE:
        this.#onReply(frame, false);
        return;
      case Kind.FILE_TRANSFER: {
        const t = this.#incoming.get(frame.id);
        if (t === undefined) return; // a transfer we cancelled or refused: drop its chunks
        if (t.chunk(frame.data, frame.finished)) this.#incoming.delete(frame.id);
      }
    }
  }

  /** The connection is gone: every transfer fails with DISCONNECTED. */
  failAll(reason: string): void {
    const err = (id: number): TransferError =>
      new TransferError(
        'DISCONNECTED',
        `The connection dropped (${reason}); the transfer is lost`,
        { transferId: id },
      );
    for (const t of this.#offered.splice(0)) t.abort(err(0));
    for (const [id, t] of this.#outgoing) {
      t.abort(t.confirming ? t.unconfirmed(`the connection dropped (${reason})`) : err(id));
    }
    for (const [id, t] of this.#incoming) t.abort(err(id));
    this.#outgoing.clear();
    this.#incoming.clear();
    this.#session = null;
  }

  #onReply(frame: AcceptFileFrame | RejectFileFrame, accepted: boolean): void {
    const self = this.#deps.self;
    if (!accepted && frame.id !== 0) {
      // The other party of a live transfer went away (§9), or a sender dropped its offer.
      const out = frame.source === self ? this.#outgoing.get(frame.id) : undefined;
      if (out !== undefined) {
        this.#outgoing.delete(frame.id);
        this.#stopped(out, frame.id);
        return;
      }
      const inc = frame.target === self ? this.#incoming.get(frame.id) : undefined;
      if (inc !== undefined) {
        this.#incoming.delete(frame.id);
        inc.abort(
          new TransferError('ABORTED', `${inc.from} went away while sending ${inc.fileName}`, {
            transferId: frame.id,
          }),
        );
        return;
      }
    }
    if (frame.source !== self) return;
    const at = this.#offered.findIndex(
      (t) => t.to === frame.target && t.fileName === frame.fileName && t.size === frame.size,
    );
    if (at < 0) return;
    const t = this.#offered.splice(at, 1)[0]!;
    if (accepted) {
      t.id = frame.id;
      this.#outgoing.set(frame.id, t);
      void t.done
        .finally(() => {
          if (this.#outgoing.get(frame.id) === t) this.#outgoing.delete(frame.id);
        })
        .catch(() => undefined);
      t.start(frame.id, this.#session ?? undefined);
    } else if (frame.id === 0) {
      t.abort(
        new TransferError(
          'RECIPIENT_OFFLINE',
          `${t.to} is not online; the offer of ${t.fileName} was dropped`,
        ),
      );
    } else {
      t.abort(
        new TransferError('REJECTED', `${t.to} declined ${t.fileName}`, { transferId: frame.id }),
      );
    }
  }

  /**
   * The server ended a transfer we were sending. The frame is the same whether the receiver
   * cancelled or went away, so sending stops at once and a presence check on the same
   * connection picks the code: REJECTED (still online: they cancelled) or ABORTED (gone).
   */
  #stopped(out: OutgoingTransfer, id: number): void {
    out.halt();
    const gone = (): TransferError =>
      new TransferError('ABORTED', `${out.to} went away while receiving ${out.fileName}`, {
        transferId: id,
      });
    const session = this.#session;
    if (session === null) {
      out.abort(gone());
      return;
    }
    this.#deps.isOnline(out.to, session).then(
      (online) =>
        out.abort(
          online
            ? new TransferError(
                'REJECTED',
                `${out.to} stopped receiving ${out.fileName} after ${out.bytes} of ${out.size} bytes`,
                { transferId: id },
              )
            : gone(),
        ),
      () => out.abort(gone()),
    );
  }

  #onOffer(frame: OfferFileFrame): void {
    const fields: FileNegotiation = {
      target: frame.target,
      source: frame.source,
      id: frame.id,
      size: frame.size,
      fileName: frame.fileName,
    };
    let answered: 'accepted' | 'rejected' | null = null;
    const answer = (how: 'accepted' | 'rejected'): void => {
      if (answered === null) this.answers[how]++;
      if (answered !== null) {
        throw new ClientError(
          'INVALID_ARGUMENT',
          `The offer of ${frame.fileName} from ${frame.source} was already ${answered}; answer each offer once (give onOffer handlers filters that do not overlap, and let only one on('offer') listener answer)`,
        );
      }
      answered = how;
    };
    const session = this.#session ?? undefined;
    const reject = async (): Promise<void> => {
      answer('rejected');
      await this.#deps.send({ frames: [frames.reject(fields)], cost: 0, bind: session });
    };
    const accept = (to: AcceptTarget): IncomingTransfer => {
      answer('accepted');
      return this.#accept(fields, to, session);
    };
    const ctx: OfferContext = {
      id: frame.id,
      from: frame.source,
      fileName: frame.fileName,
      size: frame.size,
      client: this.#deps.client,
      match: null,
      accept,
      reject,
    };
    // An offer nobody takes would leave the sender waiting forever.
    this.#deps.emit('offer', ctx);
    if (answered === null && !this.#deps.offerClaimed(ctx)) {
      void reject().catch(() => undefined);
    }
  }

  #accept(
    fields: FileNegotiation,
    to: AcceptTarget,
    session: ClientSession | undefined,
  ): IncomingTransfer {
    const throttle = {
      pause: () => session?.conn.pause(),
      resume: () => session?.conn.resume(),
    };
    const emit = (e: TransferEvent): void => void this.#deps.emit('transfer', e);
    // The id belongs to this connection: answers are bound to it, so none reaches a later one
    // (where the id means nothing, or another transfer).
    const answer = (frame: Frame): Promise<void> =>
      this.#deps.send({ frames: [frame], cost: 0, bind: session });
    const forget = (): void => {
      if (this.#incoming.get(fields.id) === t) this.#incoming.delete(fields.id);
    };
    // Failed on our side after the ACCEPT: REJECT_FILE tells the sender to stop (the server
    // forwards it and forgets the transfer); chunks already on their way are dropped. It goes
    // straight to the socket, not behind rate-limited sends: the ACCEPT is written already.
    const tellSender = (): void => {
      forget();
      if (session?.open) session.write(frames.reject(fields));
    };
    const t = new IncomingTransfer(
      { id: fields.id, from: fields.source, fileName: fields.fileName, size: fields.size },
      to,
      throttle,
      emit,
      tellSender,
    );
    t.reportListenerError = this.#deps.report;
    this.#incoming.set(fields.id, t);
    void (async () => {
      try {
        await t.open();
      } catch (err) {
        forget();
        t.abort(err as TransferError);
        await answer(frames.reject(fields));
        return;
      }
      if (t.settled) {
        // Cancelled while opening (or the connection dropped, and the bound reply fails).
        forget();
        await answer(frames.reject(fields));
        return;
      }
      await this.#deps.send({
        frames: [frames.accept(fields)],
        cost: 0,
        bind: session,
        onWritten: () => t.started(),
      });
      if (fields.size === 0) forget();
    })().catch((err: unknown) => {
      forget();
      t.abort(
        new TransferError('DISCONNECTED', `Could not answer the offer: ${(err as Error).message}`, {
          cause: err,
        }),
      );
    });
    return t;
  }
}
