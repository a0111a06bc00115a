import { createHash } from 'node:crypto';
import { type FileHandle, link, open, rename, unlink } from 'node:fs/promises';
import { ensureDirectory } from '../ensure-directory.js';
import { CoalescedWrites } from './coalesced-writes.js';
import { TransferError } from './errors.js';
import type { AcceptTarget, TransferEvent } from './payloads.js';
import { partFileName } from './part-files.js';
import { exists, numberedName, pathInside, safeFileName } from './safe-name.js';
import { TransferBase } from './transfer-base.js';

/** What an incoming transfer's `done` resolves to. */
export interface IncomingResult {
  /** Where the file was saved (directory targets only). */
  path?: string;
  bytes: number;
  sha256: string;
}

/** Flow control towards the server while the disk (or your stream) catches up. */
export interface Throttle {
  pause(): void;
  resume(): void;
}

/** Reading from the server pauses while this many received bytes wait for the disk. */
const MAX_PENDING_BYTES = 4 << 20;

/** Default of `idleTimeoutMs`. */
const IDLE_TIMEOUT_MS = 60_000;
/** The idle check runs this many times per `idleTimeoutMs`: no timer work per chunk. */
const IDLE_CHECKS = 4;

/**
 * A file being received. Into a directory, it is written to a hidden temporary file and
 * renamed only once every declared byte arrived, so a partial file never looks complete; on
 * failure the temporary file is deleted.
 *
 * @example
 * client.onOffer(async (ctx) => {
 *   const { path, sha256 } = await ctx.accept({ dir: './inbox' }).done
 * })
 */
export class IncomingTransfer extends TransferBase<IncomingResult> {
  /** Final path (directory targets), known once the transfer completed. */
  path: string | undefined;
  readonly #target: AcceptTarget;
  readonly #throttle: Throttle;
  readonly #hash = createHash('sha256');
  #handle: FileHandle | null = null;
  #temp: string | null = null;
  readonly #writes: CoalescedWrites;
  #paused = false;
  #cleanup: Promise<void> = Promise.resolve();
  #cancelled = false;
  readonly #tellSender: () => void;
  /** The ACCEPT went out: from now on the sender streams until told otherwise. */
  #accepted = false;
  /** The last chunk came: the server has forgotten the transfer, so there is no one to tell. */
  #lastSeen = false;
  #failedHere = false;
  #told = false;
  #idleTimer: ReturnType<typeof setInterval> | undefined;
  /** Bytes at the last idle check, and how many checks in a row saw no new byte. */
  #bytesAtCheck = 0;
  #silentChecks = 0;

  /** @internal Created by `OfferContext.accept`. */
  constructor(
    offer: { id: number; from: string; fileName: string; size: number },
    target: AcceptTarget,
    throttle: Throttle,
    emit: (e: TransferEvent) => void,
    tellSender: () => void = () => undefined,
  ) {
    super('in', offer.from, offer.fileName, offer.size, emit);
    this.id = offer.id;
    this.#target = target;
    this.#throttle = throttle;
    this.#writes = new CoalescedWrites((buffers) => this.#store(buffers), {
      written: () => this.#written(),
      error: (err) => this.#writeFailed(err),
      reuse: 'dir' in target,
      digest: (piece) => {
        if (!this.settled) this.#hash.update(piece);
      },
    });
    this.#tellSender = tellSender;
  }

  /** The sender. */
  get from(): string {
    return this.peer;
  }

  /** @internal True when chunks for this id are dropped (the transfer has settled). */
  get discarding(): boolean {
    return this.settled;
  }

  /**
   * Stops receiving: `done` rejects with CANCELLED, the temporary file is deleted, and the
   * sender is told with REJECT_FILE (its `done` rejects with REJECTED) instead of streaming
   * on. Chunks already on their way are dropped. Does nothing once the transfer has settled.
   *
   * @example
   * const t = ctx.accept({ dir: './inbox' })
   * setTimeout(() => t.cancel(), 10_000) // give up on slow senders
   */
  cancel(): void {
    if (this.settled) return;
    this.#cancelled = true;
    this.#failWith(
      new TransferError('CANCELLED', `Receiving ${this.fileName} was cancelled`, {
        transferId: this.id,
      }),
      true,
    );
  }

  /**
   * Resolves once a failed or cancelled transfer's temporary file is closed and deleted (at
   * once for a transfer that has not failed). Await it before exiting after `cancel()`.
   */
  get cleanedUp(): Promise<void> {
    return this.#cleanup;
  }

  /** True once cancelled by `cancel()`. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** @internal Prepares the destination; the ACCEPT goes out only after this succeeds. */
  async open(): Promise<void> {
    const t = this.#target;
    if (t.maxSize !== undefined && this.size > t.maxSize) {
      throw new TransferError(
        'TOO_LARGE',
        `${this.fileName} is ${this.size} bytes, over the limit of ${t.maxSize}`,
        {
          transferId: this.id,
        },
      );
    }
    if (!('dir' in t)) {
      // A failed write reaches us through its callback, but the stream also emits 'error',
      // which would crash the process if nobody listened: the failure is this transfer's.
      t.stream.on('error', (err: Error) => this.#writeFailed(err));
      return;
    }
    let temp: string;
    let handle: FileHandle;
    try {
      ensureDirectory(t.dir);
      temp = pathInside(t.dir, partFileName(this.id));
      handle = await open(temp, 'wx');
    } catch (err) {
      throw new TransferError(
        'IO_ERROR',
        `Cannot write into ${t.dir}: ${(err as Error).message}; check that the directory is writable`,
        { transferId: this.id, cause: err },
      );
    }
    if (this.settled) {
      // Cancelled while the file was being created: the failure's cleanup could not see it.
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      return;
    }
    this.#temp = temp;
    this.#handle = handle;
  }

  /** @internal The ACCEPT was written: an empty file is complete right away. */
  started(): void {
    this.#accepted = true;
    if (this.size === 0) this.#lastSeen = true; // no chunk will come; the server is done with it
    if (this.settled) {
      this.#maybeTellSender(); // cancelled while the ACCEPT was queued
      return;
    }
    this.startClock();
    if (this.size === 0) void this.#complete();
    else this.#watchIdle();
  }

  // A sender that died without the server noticing (its socket paused by the server's flow
  // control, a half-open connection) would leave this transfer waiting for ever.
  #watchIdle(): void {
    const ms = this.#target.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.#idleTimer = setInterval(() => {
      if (this.settled || this.#lastSeen) return clearInterval(this.#idleTimer);
      if (this.bytes !== this.#bytesAtCheck || this.#paused || this.#writes.pendingBytes > 0) {
        // Bytes came, or we hold them back ourselves (disk behind): not the sender's silence.
        this.#bytesAtCheck = this.bytes;
        this.#silentChecks = 0;
        return;
      }
      this.#silentChecks += 1;
      if (this.#silentChecks < IDLE_CHECKS) return;
      this.#failWith(
        new TransferError(
          'TIMEOUT',
          `${this.from} sent nothing of ${this.fileName} for ${ms} ms (${this.bytes} of ${this.size} bytes came); raise idleTimeoutMs in accept() for slow senders`,
          { transferId: this.id },
        ),
        true,
      );
    }, ms / IDLE_CHECKS);
    this.#idleTimer.unref?.();
  }

  /** @internal One FILE_TRANSFER chunk. Returns true once the transfer is over. */
  chunk(data: Uint8Array, finished: boolean): boolean {
    if (finished) this.#lastSeen = true;
    if (this.settled) return finished;
    this.bytes += data.length;
    if (this.bytes > this.size) {
      this.#failWith(
        new TransferError(
          'SIZE_MISMATCH',
          `${this.fileName}: got more than the declared ${this.size} bytes`,
          {
            transferId: this.id,
          },
        ),
        true,
      );
      return finished;
    }
    if (this.bytes === this.size) this.#lastSeen = true;
    this.#write(data);
    if (finished || this.bytes === this.size) {
      if (this.bytes === this.size) void this.#complete();
      else {
        this.#failWith(
          new TransferError(
            'SIZE_MISMATCH',
            `${this.fileName} ended after ${this.bytes} of the declared ${this.size} bytes`,
            {
              transferId: this.id,
            },
          ),
        );
      }
      return true;
    }
    this.progress();
    return false;
  }

  /** @internal Ended from outside: the sender went away, or our connection dropped. */
  abort(err: TransferError): void {
    this.#failWith(err);
  }

  #write(data: Uint8Array): void {
    this.#writes.push(data);
    if (!this.#paused && this.#writes.pendingBytes > MAX_PENDING_BYTES) {
      this.#paused = true;
      this.#throttle.pause();
    }
  }

  // Hashed as the bytes are copied in (`digest` above), while they are still in the cache.
  async #store(buffers: Buffer[]): Promise<void> {
    if (this.settled) return;
    if (this.#handle !== null) await writeAll(this.#handle, buffers);
    else if ('stream' in this.#target) {
      for (const b of buffers) await writeStream(this.#target.stream, b);
    }
  }

  #written(): void {
    if (this.#paused && this.#writes.pendingBytes < MAX_PENDING_BYTES / 2) {
      this.#paused = false;
      this.#throttle.resume();
    }
  }

  #writeFailed(err: unknown): void {
    this.#failWith(
      new TransferError('IO_ERROR', `Writing ${this.fileName} failed: ${(err as Error).message}`, {
        transferId: this.id,
        cause: err,
      }),
      true,
    );
  }

  async #complete(): Promise<void> {
    try {
      await this.#writes.idle();
      if (this.settled) return;
      const t = this.#target;
      if ('stream' in t) {
        await new Promise<void>((resolve) => t.stream.end(resolve));
      } else {
        await this.#handle?.close();
        this.#handle = null;
        this.path = await placeFile(
          this.#temp!,
          t.dir,
          safeFileName(t.name ?? this.fileName),
          t.conflict ?? 'rename',
        );
        this.#temp = null;
      }
      this.#resume();
      clearInterval(this.#idleTimer);
      this.succeed(
        {
          ...(this.path === undefined ? {} : { path: this.path }),
          bytes: this.bytes,
          sha256: this.#hash.digest('hex'),
        },
        this.path,
      );
    } catch (err) {
      this.#failWith(
        err instanceof TransferError
          ? err
          : new TransferError(
              'IO_ERROR',
              `Saving ${this.fileName} failed: ${(err as Error).message}`,
              {
                transferId: this.id,
                cause: err,
              },
            ),
      );
    }
  }

  /** `here`: the failure is ours (cancel, disk, bad data), so the sender must hear of it. */
  #failWith(err: TransferError, here = false): void {
    if (this.settled) return;
    clearInterval(this.#idleTimer);
    this.#failedHere = here;
    this.fail(err);
    this.#maybeTellSender();
    this.#resume();
    const handle = this.#handle;
    const temp = this.#temp;
    this.#handle = null;
    this.#temp = null;
    // Queued after pending writes, so the temporary file is gone for good once they finish.
    this.#cleanup = this.#writes
      .idle()
      .catch(() => undefined)
      .then(async () => {
        await handle?.close().catch(() => undefined);
        if (temp !== null) await unlink(temp).catch(() => undefined);
      });
  }

  #maybeTellSender(): void {
    if (this.#told || !this.#failedHere || !this.#accepted || this.#lastSeen) return;
    this.#told = true;
    this.#tellSender();
  }

  #resume(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#throttle.resume();
    }
  }
}

/** Writes every buffer at the file's position, going on after a short write. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let left = buffers;
  while (left.length > 0) {
    let { bytesWritten } = await handle.writev(left);
    const rest: Buffer[] = [];
    for (const b of left) {
      if (bytesWritten >= b.length) bytesWritten -= b.length;
      else {
        rest.push(bytesWritten === 0 ? b : b.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    left = rest;
  }
}

function writeStream(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(data, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else stream.once('drain', () => resolve());
  });
}

/**
 * Moves the finished temporary file to its final name. `rename` picks "name (1).ext" and so on
 * when the name is taken, without ever replacing a file (a hard link fails if the target exists);
 * `overwrite` replaces; `fail` refuses with NAME_CONFLICT.
 */
async function placeFile(
  temp: string,
  dir: string,
  name: string,
  conflict: 'rename' | 'overwrite' | 'fail',
): Promise<string> {
  if (conflict === 'overwrite') {
    const path = pathInside(dir, name);
    await rename(temp, path);
    return path;
  }
  for (let n = 0; n < 10_000; n++) {
    const path = pathInside(dir, numberedName(name, n));
    try {
      await link(temp, path);
      await unlink(temp);
      return path;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (conflict === 'fail') {
          await unlink(temp).catch(() => undefined);
          throw new TransferError(
            'NAME_CONFLICT',
            `${path} already exists; accept with conflict: 'rename' or 'overwrite'`,
          );
        }
        continue;
      }
      // File systems without hard links: check, then rename (a small race, but no temp left).
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        if (await exists(path)) {
          if (conflict === 'fail')
            throw new TransferError('NAME_CONFLICT', `${path} already exists`);
          continue;
        }
        await rename(temp, path);
        return path;
      }
      throw err;
    }
  }
  throw new TransferError('NAME_CONFLICT', `Too many files named like ${name} in ${dir}`);
}
