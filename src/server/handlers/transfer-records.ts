import { type FileNegotiation, Kind } from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { TransferOutcome } from '../metrics/counters.js';
import type { ServerSession } from '../session.js';
import type { Transfer } from '../transfers.js';

// What the file relay's handlers share, for transfers within one node and across nodes.

/** How many ended ids a session remembers (to drop frames still in flight for them). */
const CANCELLED_MEMORY = 64;

/** The negotiation fields of `t`, as both parties know them. */
export function fields(t: Transfer<ServerSession>): FileNegotiation {
  return {
    target: t.targetName,
    source: t.sourceName,
    id: t.id,
    size: t.size,
    fileName: t.fileName,
  };
}

/** Ends `t` on this node, counted under `outcome`; a remote wait on its offerer is released. */
export function forget(
  ctx: ServerContext,
  t: Transfer<ServerSession>,
  outcome: TransferOutcome,
): void {
  ctx.counters.transfers[outcome]++;
  ctx.transfers.delete(t.id);
  if (t.remote === null || t.remote.local === 'source') t.source.offering--;
  if (t.remote?.paused) {
    t.remote.paused = false;
    t.source.remoteWaits--;
    t.source.resumeIfFree();
  }
  t.source.transfers.delete(t.id);
  t.target.transfers.delete(t.id);
}

/** `party` drops frames still in flight for ended transfer `id` instead of failing. */
export function rememberCancelled(party: ServerSession, id: number): void {
  party.cancelled.add(id);
  if (party.cancelled.size > CANCELLED_MEMORY) {
    const oldest = party.cancelled.values().next().value!;
    party.cancelled.delete(oldest);
  }
}

/** Logs a step of `t` with its fields. */
export function logTransfer(ctx: ServerContext, message: string, t: Transfer<ServerSession>): void {
  ctx.log.info(message, {
    id: t.id,
    from: t.sourceName,
    to: t.targetName,
    file: t.fileName,
    size: t.size,
    relayed: t.relayed,
    ...(t.remote === null ? {} : { node: t.remote.node }),
  });
}

/**
 * The 8 bytes before a FILE_TRANSFER's data: kind, length, transfer id, finished flag.
 * Re-encoding a whole chunk cost more than relaying it: 4,104 bytes is above Node's 4 KiB
 * buffer pool, so every chunk allocated an ArrayBuffer of its own and copied its data.
 */
export function chunkHead(id: number, finished: boolean, dataBytes: number): Buffer {
  const head = Buffer.allocUnsafe(8);
  head[0] = Kind.FILE_TRANSFER;
  head.writeUInt32BE(3 + dataBytes, 1);
  head.writeUInt16BE(id, 5);
  head[7] = finished ? 1 : 0;
  return head;
}

/**
 * The target answered `t` (already passed on to the offerer): a rejection ends it (a cancel
 * when it was accepted, after which `cancelling`'s frames still in flight are dropped); an
 * acceptance starts it, and completes a zero-byte file, which has no chunks (§6.6).
 */
export function recordAnswer(
  ctx: ServerContext,
  t: Transfer<ServerSession>,
  kind: typeof Kind.ACCEPT_FILE | typeof Kind.REJECT_FILE,
  cancelling: ServerSession,
): void {
  if (kind === Kind.REJECT_FILE) {
    forget(ctx, t, t.state === 'accepted' ? 'aborted' : 'rejected');
    if (t.state === 'accepted') rememberCancelled(cancelling, t.id);
    logTransfer(ctx, t.state === 'accepted' ? 'transfer cancelled' : 'transfer rejected', t);
    return;
  }
  t.state = 'accepted';
  logTransfer(ctx, 'transfer accepted', t);
  if (t.size === 0) {
    forget(ctx, t, 'completed');
    logTransfer(ctx, 'transfer completed', t);
  }
}
