import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Client,
  ensureDirectory,
  type IncomingTransfer,
  safeFileName,
  sweepPartFiles,
} from '../src/index.js';
import { type BotHandle, nameFilter } from './types.js';

/** A file the sink stored. */
export interface ReceivedFile {
  from: string;
  fileName: string;
  /** Where it was written (after conflict renaming). */
  path: string;
  bytes: number;
  sha256: string | undefined;
}

/** An offer the sink turned down, and why. */
export interface RejectedOffer {
  from: string;
  fileName: string;
  size: number;
  /** `exists`: with `conflict: 'fail'`, a file of that name is already in `dir`. */
  reason: 'sender' | 'name' | 'size' | 'exists';
}

/** Options of `fileSink`. */
export interface FileSinkOptions {
  /** Where files go (created if missing). */
  dir: string;
  /** Offers larger than this many bytes are rejected. */
  maxSize?: number;
  /** Accept offers only from this name or these names. */
  from?: string | readonly string[];
  /** Accept only file names matching this pattern. */
  namePattern?: RegExp;
  /**
   * When the file exists: `'rename'` (default), `'overwrite'` or `'fail'` (the offer is
   * declined, so the sender hears of it; a file that appears meanwhile fails the transfer).
   */
  conflict?: 'rename' | 'overwrite' | 'fail';
  /** Called after each file is stored. */
  onReceived?: (file: ReceivedFile) => void;
  /** Called for each offer turned down. */
  onRejected?: (offer: RejectedOffer) => void;
  /** Called when a transfer fails midway. */
  onError?: (error: unknown, offer: { from: string; fileName: string; size: number }) => void;
  /** Called with the partial files of dead receivers removed from `dir` at start. */
  onSwept?: (names: string[]) => void;
}

/** A file the sink is receiving right now. */
export interface FileInProgress {
  from: string;
  fileName: string;
  bytes: number;
  size: number;
}

/** A running file sink. */
export interface FileSinkHandle extends BotHandle {
  /**
   * Unsubscribes. Transfers already accepted finish first, or with `{ cancel: true }` are
   * cancelled (the senders told, the partial files deleted before this resolves).
   */
  stop(options?: { cancel?: boolean }): Promise<void>;
  /** The files arriving right now. */
  receiving(): FileInProgress[];
}

/**
 * Accepts file offers into a directory, turning down those from other senders, with other
 * names, or over the size limit. The SDK makes every file name safe before it becomes a path.
 *
 * @example
 * const sink = await fileSink(client, { dir: './incoming', maxSize: 10e6, onReceived: (f) => console.log(f.path) })
 */
export async function fileSink(client: Client, options: FileSinkOptions): Promise<FileSinkHandle> {
  ensureDirectory(options.dir);
  const swept = await sweepPartFiles(options.dir);
  if (swept.length > 0) options.onSwept?.(swept);
  const arriving = new Set<IncomingTransfer>();
  const fromAllowed = nameFilter(options.from);
  const conflict = options.conflict ?? 'rename';
  const pending = new Set<Promise<unknown>>();
  const off = client.onOffer((offer) => {
    const info = { from: offer.from, fileName: offer.fileName, size: offer.size };
    let reason: RejectedOffer['reason'] | undefined;
    if (!fromAllowed(offer.from)) reason = 'sender';
    else if (options.namePattern && !options.namePattern.test(offer.fileName)) reason = 'name';
    else if (options.maxSize !== undefined && offer.size > options.maxSize) reason = 'size';
    // Checked again when the file is complete; declining now tells the sender, whose `done`
    // would otherwise resolve for a file refused only after its last byte.
    else if (conflict === 'fail' && existsSync(join(options.dir, safeFileName(offer.fileName))))
      reason = 'exists';
    if (reason !== undefined) {
      options.onRejected?.({ ...info, reason });
      const rejecting = offer.reject().catch(() => {});
      track(pending, rejecting);
      return;
    }
    const transfer = offer.accept({
      dir: options.dir,
      conflict,
      ...(options.maxSize === undefined ? {} : { maxSize: options.maxSize }),
    });
    arriving.add(transfer);
    const done = transfer.done
      .finally(() => arriving.delete(transfer))
      .then(
        (result) => {
          options.onReceived?.({
            ...info,
            path: result.path ?? options.dir,
            bytes: result.bytes,
            sha256: result.sha256,
          });
        },
        async (err: unknown) => {
          options.onError?.(err, info);
          // stop() waits for this: a command that exits next leaves no part file behind.
          await transfer.cleanedUp;
        },
      );
    track(pending, done);
  });
  return {
    stop: async ({ cancel = false } = {}) => {
      off();
      const cancelled = cancel ? [...arriving] : [];
      for (const transfer of cancelled) transfer.cancel();
      // Accepted transfers finish (or fail) before the caller closes the client.
      await Promise.allSettled([...pending]);
      await Promise.all(cancelled.map((t) => t.cleanedUp));
    },
    receiving: () =>
      [...arriving].map((t) => ({
        from: t.from,
        fileName: t.fileName,
        bytes: t.bytes,
        size: t.size,
      })),
  };
}

function track(set: Set<Promise<unknown>>, promise: Promise<unknown>): void {
  set.add(promise);
  void promise.finally(() => set.delete(promise));
}
