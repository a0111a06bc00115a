import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  encodeChunks,
  encodedChunksBytes,
  frames,
  MAX_CHUNK_BYTES,
  MAX_FILE_SIZE,
  validateFileName,
} from '../protocol/index.js';
import { TransferError } from './errors.js';
import type { TransferEvent } from './payloads.js';
import { readPieces } from './file-pieces.js';
import type { OutboxJob } from './outbox.js';
import type { ClientSession } from './session.js';
import { TransferBase } from './transfer-base.js';

/** What `sendFile` can send: a file path, bytes, or a readable stream (give `size`). */
export type FileSource = string | Uint8Array | NodeJS.ReadableStream;

/** Options of `sendFile`. */
export interface SendFileOptions {
  /** File name to offer (default: the path's base name; required for Buffers and streams). */
  name?: string;
  /** Size in bytes; required for a stream. */
  size?: number;
  /**
   * Give up (TransferError TIMEOUT) when the offer is neither accepted nor rejected within
   * this many milliseconds; for example with the protocol author's server, which drops
   * offers. Default: wait as long as it takes (a person may be deciding).
   */
  answerTimeoutMs?: number;
}

/** What an outgoing transfer's `done` resolves to. */
export interface OutgoingResult {
  id: number;
  bytes: number;
  sha256: string;
}

/**
 * How many bytes the pump moves per step: one read, one hash update and one outbox job (one
 * promise) per 256 chunks instead of per chunk, which was most of a sender's cost.
 */
const BATCH_BYTES = 256 * MAX_CHUNK_BYTES;
/** Encoded steps kept for reuse: about what the socket's write window holds. */
const ENCODE_BUFFERS = 4;

/**
 * Re-slices any byte stream into pieces of whole chunks, at most `most` bytes each, as soon
 * as the bytes are there (a stream that stalls still has its whole chunks sent); only the
 * source's last piece may end in a partial chunk. Reads of whole chunks pass without a copy.
 */
async function* rechunk(
  source: AsyncIterable<Uint8Array | string>,
  most: number,
): AsyncGenerator<Uint8Array> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of source) {
    const buf =
      typeof piece === 'string'
        ? Buffer.from(piece)
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    pending = pending.length === 0 ? buf : Buffer.concat([pending, buf]);
    while (pending.length >= MAX_CHUNK_BYTES) {
      const take = Math.min(most, pending.length - (pending.length % MAX_CHUNK_BYTES));
      yield pending.subarray(0, take);
      pending = pending.subarray(take);
    }
  }
  if (pending.length > 0) yield pending;
}

function* sliceBytes(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/**
 * A file you offered: `on('progress')`, `cancel()`, and `done`. The protocol has no receipt
 * from the receiver, so `done` resolves once the server has taken every byte for the receiver:
 * after the last chunk a presence query goes out on the same connection, and the server answers
 * it only after relaying that chunk; the receiver must still be online then. It rejects with a
 * `TransferError` such as REJECTED or RECIPIENT_OFFLINE, or UNCONFIRMED when the connection
 * dropped (or the receiver left) between the last byte and that answer: then the file may or
 * may not have arrived. A receiver that fails after the server relayed the last chunk (its
 * disk, its process) cannot tell the sender: the server has forgotten the transfer by then.
 *
 * @example
 * const t = client.sendFile('bob', Buffer.from('hi'), { name: 'hi.txt' })
 * await t.done
 */
export class OutgoingTransfer extends TransferBase<OutgoingResult> {
  readonly #source: FileSource;
  readonly #send: (job: OutboxJob) => Promise<void>;
  readonly #confirm: (session: ClientSession | undefined) => Promise<boolean>;
  readonly #self: string;
  /** Every byte is written; the server's confirmation is awaited. */
  #confirming = false;
  #cancelled = false;
  #started = false;
  /** The server ended the transfer: no chunk may follow, whatever `done` becomes. */
  #halted = false;
  /** The pump's last chunk, held back (see #pump), and whether the pump waits for the source. */
  #held: Uint8Array | null = null;
  #waitingForSource = false;
  #finishedEarly = false;
  #answerTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #answerTimeoutMs: number | undefined;
  #session: ClientSession | undefined;
  /** @internal Resolves once name and size are checked (the OFFER waits for it). */
  ready: Promise<void>;

  /** @internal Created by `client.sendFile`. */
  constructor(
    deps: {
      self: string;
      send: (job: OutboxJob) => Promise<void>;
      emit: (e: TransferEvent) => void;
      /**
       * A round trip on `session` answered after everything written before it, resolving to
       * whether the receiver is online; rejects when the connection drops first.
       */
      confirm?: (session: ClientSession | undefined) => Promise<boolean>;
    },
    to: string,
    source: FileSource,
    opts: SendFileOptions,
  ) {
    const name = opts.name ?? (typeof source === 'string' ? basename(source) : '');
    super(
      'out',
      to,
      name,
      opts.size ?? (source instanceof Uint8Array ? source.length : 0),
      deps.emit,
    );
    this.#source = source;
    this.#send = deps.send;
    this.#confirm = deps.confirm ?? (async () => true);
    this.#self = deps.self;
    this.#answerTimeoutMs = opts.answerTimeoutMs;
    this.ready = this.#prepare(opts);
    this.ready.catch((err: unknown) => this.fail(err as TransferError));
  }

  /** The recipient. */
  get to(): string {
    return this.peer;
  }

  /**
   * Stops the transfer; `done` rejects with CANCELLED. The protocol has no cancel message for
   * the sender, so the last chunk is marked finished early and the receiver fails with
   * SIZE_MISMATCH (keeping no partial file). Cancelled before its offer went out, nothing is
   * offered.
   *
   * @example
   * const t = client.sendFile('bob', './big.iso')
   * process.once('SIGINT', () => t.cancel())
   */
  cancel(): void {
    this.#stop(
      new TransferError('CANCELLED', `Sending ${this.fileName} was cancelled`, {
        transferId: this.id,
      }),
    );
  }

  /** @internal The OFFER was written: start waiting for the answer. */
  offered(): void {
    const ms = this.#answerTimeoutMs;
    if (ms === undefined || this.settled) return;
    this.#answerTimer = setTimeout(() => {
      if (this.#started) return;
      this.#stop(
        new TransferError(
          'TIMEOUT',
          `${this.peer} did not answer the offer of ${this.fileName} within ${ms} ms`,
        ),
      );
    }, ms);
    this.#answerTimer.unref?.();
    void this.done.catch(() => undefined).finally(() => clearTimeout(this.#answerTimer));
  }

  #stop(err: TransferError): void {
    if (this.settled) return;
    this.#cancelled = true;
    this.fail(err);
    if (this.#started && this.#waitingForSource) this.#finishEarly();
  }

  // A source may stall for good: the receiver is told now rather than at its next piece.
  #finishEarly(): void {
    if (this.#finishedEarly || this.#halted) return;
    // A chunk needs a byte: the held one, or a filler, only where it cannot complete the file.
    const byte =
      this.#held?.subarray(0, 1) ?? (this.size - this.bytes > 1 ? new Uint8Array(1) : null);
    if (byte === null) return; // the pump finishes at the source's next piece
    this.#finishedEarly = true;
    this.#held = null;
    this.#send({
      frames: [frames.chunk(this.id, byte, true)],
      cost: 0,
      flush: true,
      bind: this.#session,
    }).catch(() => undefined);
  }

  /** @internal The offer frame's fields. */
  get negotiation(): {
    target: string;
    source: string;
    id: number;
    size: number;
    fileName: string;
  } {
    return {
      target: this.peer,
      source: this.#self,
      id: 0,
      size: this.size,
      fileName: this.fileName,
    };
  }

  /** @internal The peer accepted: send the chunks. */
  start(id: number, session?: ClientSession): void {
    if (this.#started) return;
    this.#started = true;
    this.id = id;
    this.#session = session;
    this.startClock();
    void this.#pump().catch((err: unknown) =>
      this.fail(
        err instanceof TransferError
          ? err
          : new TransferError(
              'IO_ERROR',
              `Reading ${this.fileName} failed: ${(err as Error).message}`,
              {
                transferId: id,
                cause: err,
              },
            ),
      ),
    );
    // Cancelled (or timed out) before the answer came: finish at once.
    if (this.#cancelled && this.#waitingForSource) this.#finishEarly();
  }

  /** @internal The transfer ended from outside (reject, offline, disconnect). */
  abort(err: TransferError): void {
    this.#halted = true;
    this.fail(err);
  }

  /**
   * @internal True between the last chunk's write and the server's confirmation: a failure
   * now leaves the outcome unknown (UNCONFIRMED), not lost.
   */
  get confirming(): boolean {
    return this.#confirming && !this.settled;
  }

  /** @internal The server ended the transfer; `abort` follows once the reason is known. */
  halt(): void {
    this.#halted = true;
  }

  /** @internal The error of a transfer whose every byte went out, but whose end is unknown. */
  unconfirmed(what: string, cause?: unknown): TransferError {
    return new TransferError(
      'UNCONFIRMED',
      `Every byte of ${this.fileName} was sent, but ${what} before the server confirmed it had them: ${this.peer} may or may not have the file; ask them, or send it again`,
      { transferId: this.id, ...(cause === undefined ? {} : { cause }) },
    );
  }

  async #prepare(opts: SendFileOptions): Promise<void> {
    const source = this.#source;
    if (this.fileName === '') {
      throw new TransferError(
        'INVALID_ARGUMENT',
        'sendFile needs { name } for a Buffer or a stream',
      );
    }
    try {
      validateFileName(this.fileName);
    } catch (err) {
      throw new TransferError(
        'INVALID_ARGUMENT',
        `Cannot offer this file name: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (typeof source === 'string') {
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(source);
      } catch (err) {
        throw new TransferError('IO_ERROR', `Cannot read ${source}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      if (!info.isFile())
        throw new TransferError('INVALID_ARGUMENT', `${source} is not a regular file`);
      this.size = info.size;
    } else if (!(source instanceof Uint8Array) && opts.size === undefined) {
      throw new TransferError(
        'INVALID_ARGUMENT',
        'sendFile needs { size } for a stream: the offer declares it',
      );
    }
    if (!Number.isInteger(this.size) || this.size < 0 || this.size > MAX_FILE_SIZE) {
      throw new TransferError(
        'INVALID_ARGUMENT',
        `A file size must be 0 to ${MAX_FILE_SIZE} bytes, got ${this.size}`,
      );
    }
  }

  /** Pieces of BATCH_BYTES (the last may be shorter), each sent as one job of chunks. */
  #pieces(): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
    const source = this.#source;
    if (source instanceof Uint8Array) return sliceBytes(source, BATCH_BYTES);
    if (typeof source === 'string') {
      return readPieces(source, BATCH_BYTES);
    }
    return rechunk(source as AsyncIterable<Uint8Array | string>, BATCH_BYTES);
  }

  async #pump(): Promise<void> {
    const hash = createHash('sha256');
    const size = this.size;
    // One job (one promise) for several pieces' chunks; the last chunk marked when `last`.
    // Frames are encoded into a few reused buffers, each free again once the socket has
    // written it: a fresh buffer per step cost the sender more in page faults and GC than
    // the copy. A buffer whose write never reports back is simply not reused.
    const spare: Buffer[] = [];
    const send = async (parts: Uint8Array[], last: boolean): Promise<void> => {
      const out = parts.filter((p) => p.length > 0);
      if (out.length === 0) return;
      let needed = 0;
      for (const p of out) needed += encodedChunksBytes(p.length);
      const block = spare.pop() ?? Buffer.allocUnsafeSlow(encodedChunksBytes(BATCH_BYTES));
      const fits = needed <= block.length;
      let at = 0;
      const raw = out.map((p, i) => {
        const into = fits ? block.subarray(at) : undefined;
        const frames = encodeChunks(this.id, p, last && i === out.length - 1, into);
        at += frames.length;
        return frames;
      });
      await this.#send({
        frames: [],
        raw,
        rawDone: () => {
          if (fits && spare.length < ENCODE_BUFFERS) spare.push(block);
        },
        cost: 0,
        flush: last,
        bind: this.#session,
      });
      for (const p of out) {
        this.bytes += p.length;
        hash.update(p);
      }
      if (!last) this.progress();
    };
    const succeed = (): void =>
      this.succeed({ id: this.id, bytes: this.bytes, sha256: hash.digest('hex') });
    if (size === 0) return succeed(); // no chunk for an empty file: complete once accepted
    // The last chunk reached the kernel, not the server: a dropped connection (or a receiver
    // that left) would lose it while the sender thought it delivered. The answer to a query
    // sent after it proves the server relayed it; a REJECT_FILE before that answer halts us.
    const confirmed = async (): Promise<void> => {
      this.#confirming = true;
      let online: boolean;
      try {
        online = await this.#confirm(this.#session);
      } catch (err) {
        if (!this.#halted) this.fail(this.unconfirmed('the connection dropped', err));
        return;
      }
      if (this.#halted) return;
      if (!online) return this.fail(this.unconfirmed(`${this.peer} left`));
      succeed();
    };
    // One chunk is held back so that, whatever happens to the source, the last chunk sent can
    // carry the finished flag (a chunk needs at least one byte).
    this.#waitingForSource = true;
    for await (const piece of this.#pieces()) {
      this.#waitingForSource = false;
      // Rejected, peer gone, disconnected, or cancelled while the source stalled.
      if (this.#halted || this.#finishedEarly) return;
      const held = this.#held === null ? [] : [this.#held];
      this.#held = null;
      if (this.#cancelled) {
        await send(held, false);
        if (this.#halted) return;
        this.#held = piece.subarray(0, 1); // finish early: see cancel()
        break;
      }
      const room = size - this.bytes;
      const available = (held[0]?.length ?? 0) + piece.length;
      if (available >= room) {
        await send(upTo([...held, piece], room), true);
        if (this.#halted) return;
        if (available > room) {
          throw new TransferError(
            'SIZE_MISMATCH',
            `${this.fileName} is longer than the declared ${size} bytes`,
            {
              transferId: this.id,
            },
          );
        }
        return confirmed();
      }
      // Everything but the piece's last chunk goes out now; that one is held back.
      const cut = piece.length - (piece.length % MAX_CHUNK_BYTES || MAX_CHUNK_BYTES);
      await send([...held, piece.subarray(0, cut)], false);
      this.#held = piece.subarray(cut);
      if (this.#halted) return;
      this.#waitingForSource = true;
    }
    this.#waitingForSource = false;
    if (this.#finishedEarly) return;
    if (this.#held !== null) await send([this.#held], true);
    if (this.settled || this.#halted) return;
    throw new TransferError(
      'SIZE_MISMATCH',
      `${this.fileName} ended after ${this.bytes} of the declared ${size} bytes`,
      { transferId: this.id },
    );
  }
}

/** The first `bytes` bytes of `parts`. */
function upTo(parts: Uint8Array[], bytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = bytes;
  for (const p of parts) {
    if (left === 0) break;
    const take = p.subarray(0, Math.min(p.length, left));
    out.push(take);
    left -= take.length;
  }
  return out;
}
