/** Where coalesced bytes go: resolves once every buffer is written, in order. */
export type BlockSink = (buffers: Buffer[]) => Promise<void>;

/** Bytes are copied into blocks of this size: a 4 KiB chunk costs a copy, not a write. */
const BLOCK_BYTES = 1 << 20;
/** Free blocks kept for reuse: about what is pending while the socket is paused. */
const SPARE_BLOCKS = 4;
/**
 * `digest` sees the bytes in pieces of about this size, right after they are copied in: a
 * piece per 4 KiB chunk cost a call each. (Hashing them while still in the cache was meant
 * to be cheaper than hashing each 1 MiB block before its write; measured, it was the same.)
 */
const DIGEST_BYTES = 64 * 1024;

/**
 * Gathers small pieces (file chunks of at most 4 KiB) into large writes: one write is in
 * flight at a time, and whatever arrives meanwhile goes out together in the next one, so the
 * writes grow with the rate the bytes come in. Pieces are copied on `push` (they may be views
 * into a socket's read buffer); a write starts at the latest once the current I/O events are
 * handled, so slow trickles are not held back.
 */
export class CoalescedWrites {
  readonly #sink: BlockSink;
  readonly #onWritten: () => void;
  readonly #onError: (err: unknown) => void;
  readonly #digest: ((piece: Buffer) => void) | null;
  readonly #reuse: boolean;
  readonly #sealed: Buffer[] = [];
  /** Blocks written and free again: fresh memory costs a page fault per 4 KiB on first use. */
  readonly #spare: Buffer[] = [];
  #block: Buffer | null = null;
  #used = 0;
  /** Bytes of the current block already handed to `digest`. */
  #digested = 0;
  #pending = 0;
  #writing = false;
  #scheduled = false;
  #error: unknown = null;
  #idle: { resolve(): void; reject(err: unknown): void }[] = [];

  /**
   * `onWritten` runs after each write completes (to lift backpressure); `onError` once, when
   * a write fails (nothing more is written after that). `reuse` says the sink is done with
   * the buffers once its promise resolves (true of a file write, not of a stream that keeps
   * them queued), so their memory can take the next bytes. `digest` sees every byte pushed,
   * once and in order, in pieces of about 64 KiB (a hash's update), before it is written.
   */
  constructor(
    sink: BlockSink,
    on: {
      written?: () => void;
      error?: (err: unknown) => void;
      reuse?: boolean;
      digest?: (piece: Buffer) => void;
    } = {},
  ) {
    this.#sink = sink;
    this.#reuse = on.reuse ?? false;
    this.#digest = on.digest ?? null;
    this.#onWritten = on.written ?? (() => undefined);
    this.#onError = on.error ?? (() => undefined);
  }

  /** Bytes pushed and not yet written. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Copies `data` in; it is written soon, together with its neighbours. */
  push(data: Uint8Array): void {
    if (this.#error !== null) return;
    let at = 0;
    while (at < data.length) {
      if (this.#block === null) {
        this.#block = this.#spare.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES);
        this.#used = 0;
        this.#digested = 0;
      }
      const take = Math.min(data.length - at, BLOCK_BYTES - this.#used);
      // A whole chunk (the usual case) is copied without making a view of it first.
      if (take === data.length) this.#block.set(data, this.#used);
      else this.#block.set(data.subarray(at, at + take), this.#used);
      this.#used += take;
      at += take;
      if (this.#used - this.#digested >= DIGEST_BYTES) this.#digestBlock();
      if (this.#used === BLOCK_BYTES) {
        this.#digestBlock();
        this.#sealed.push(this.#block);
        this.#block = null;
      }
    }
    this.#pending += data.length;
    if (!this.#writing && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#write();
      });
    }
  }

  /** Resolves once everything pushed so far is written; rejects with the write's error. */
  idle(): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idle.push({ resolve, reject }));
  }

  /** Hands the current block's bytes not yet digested to `digest`. */
  #digestBlock(): void {
    if (this.#digest !== null && this.#used > this.#digested) {
      this.#digest(this.#block!.subarray(this.#digested, this.#used));
    }
    this.#digested = this.#used;
  }

  /** The whole blocks to write, and the views of them that hold data. */
  #take(): { blocks: Buffer[]; views: Buffer[] } {
    const blocks = this.#sealed.splice(0);
    const views = [...blocks];
    if (this.#block !== null && this.#used > 0) {
      this.#digestBlock();
      blocks.push(this.#block);
      views.push(this.#block.subarray(0, this.#used));
      this.#block = null;
    }
    return { blocks, views };
  }

  #write(): void {
    if (this.#writing || this.#error !== null) return;
    const { blocks, views } = this.#take();
    if (views.length === 0) return;
    let bytes = 0;
    for (const b of views) bytes += b.length;
    this.#writing = true;
    this.#sink(views).then(
      () => {
        this.#writing = false;
        if (this.#reuse && this.#spare.length < SPARE_BLOCKS) this.#spare.push(...blocks);
        this.#pending -= bytes;
        this.#onWritten();
        if (this.#pending === 0) {
          for (const w of this.#idle.splice(0)) w.resolve();
        } else {
          this.#write(); // what arrived during this write goes out now, in one piece
        }
      },
      (err: unknown) => {
        this.#writing = false;
        this.#error = err;
        this.#sealed.length = 0;
        this.#block = null;
        for (const w of this.#idle.splice(0)) w.reject(err);
        this.#onError(err);
      },
    );
  }
}
