import {
  type AcceptFileFrame,
  encode,
  ErrorCode,
  type FileTransferFrame,
  frames,
  Kind,
  type OfferFileFrame,
  type RejectFileFrame,
} from '../../protocol/index.js';
import type { ServerContext } from '../context.js';
import type { ServerSession } from '../session.js';
import { abortRemote, answerRemote, offerRemote, relayRemoteChunk } from './remote-files.js';
import {
  chunkHead,
  fields,
  forget,
  logTransfer,
  recordAnswer,
  rememberCancelled,
} from './transfer-records.js';

/**
 * Most live transfers one client may offer at once. Without a cap one client could hold all
 * 65535 ids (an unanswered offer lives until its target answers or leaves) and every other
 * offer on the server would be refused; past it, an offer is answered as if no id were free.
 */
export const MAX_OFFERS_PER_CLIENT = 1024;

// The file relay of CLARIFICATIONS §6. The server relays every byte; a transfer is recorded
// from the offer until its last chunk, a rejection, or either party leaving.

/**
 * OFFER_FILE: the source must be the sender (else ILLEGAL_NAME). An offline target, no free
 * id, or a sender already at `MAX_OFFERS_PER_CLIENT`, gets REJECT_FILE with id 0; otherwise
 * the offer is recorded and forwarded with its id.
 */
export function offerFile(ctx: ServerContext, session: ServerSession, frame: OfferFileFrame): void {
  if (frame.source !== session.name) {
    ctx.fail(
      session,
      ErrorCode.ILLEGAL_NAME,
      `offer names '${frame.source}' as its source, but the sender is '${session.name}'`,
    );
    return;
  }
  const target = ctx.registry.user(frame.target);
  const hogging = session.offering >= MAX_OFFERS_PER_CLIENT;
  const { cluster } = ctx;
  if (target === undefined && !hogging && cluster !== null) {
    ctx.hold(session, cluster.locate(frame.target), (node) => {
      if (node === cluster.nodeId && ctx.registry.user(frame.target) !== undefined) {
        offerFile(ctx, session, frame);
      } else if (typeof node !== 'string' || node === 'down' || node === cluster.nodeId) {
        refuse(ctx, session, frame, 'target offline');
      } else if (!offerRemote(ctx, session, frame, node)) {
        refuse(ctx, session, frame, 'no free transfer id');
      }
    });
    return;
  }
  const t =
    target === undefined || hogging
      ? undefined
      : ctx.transfers.create({
          source: session,
          target,
          sourceName: session.name,
          targetName: target.name,
          size: frame.size,
          fileName: frame.fileName,
        });
  if (t === undefined) {
    const reason =
      target === undefined
        ? 'target offline'
        : hogging
          ? `sender has ${MAX_OFFERS_PER_CLIENT} live offers`
          : 'no free transfer id';
    refuse(ctx, session, frame, reason);
    return;
  }
  session.offering++;
  session.transfers.add(t.id);
  session.cancelled.delete(t.id);
  t.target.transfers.add(t.id);
  t.target.cancelled.delete(t.id);
  t.target.send(frames.offer(fields(t)));
  logTransfer(ctx, 'transfer offered', t);
}

/** Sends `frame` to offerer `name`, wherever in the cluster it is. */
function tellOfferer(ctx: ServerContext, name: string, frame: RejectFileFrame): void {
  const local = ctx.registry.user(name);
  const { cluster } = ctx;
  if (local !== undefined || cluster === null) {
    local?.send(frame);
    return;
  }
  void cluster.locate(name).then((node) => {
    if (typeof node === 'string' && node !== 'down' && node !== cluster.nodeId) {
      cluster.sendDirect(node, name, encode(frame, { trusted: true }));
    }
  });
}

/** Answers an offer that cannot be made with REJECT_FILE, id 0. */
function refuse(
  ctx: ServerContext,
  session: ServerSession,
  frame: OfferFileFrame,
  reason: string,
): void {
  session.send(frames.reject({ ...frame, id: 0 }));
  ctx.log.info('transfer refused', {
    from: session.name,
    to: frame.target,
    file: frame.fileName,
    reason,
  });
}

/**
 * ACCEPT_FILE / REJECT_FILE from the target, forwarded to the offerer with the recorded
 * fields. A reply that matches no offered transfer of this target gets ERR ILLEGAL_NAME, and
 * the offerer it names gets REJECT_FILE with id 0. A REJECT of an accepted transfer by its
 * target cancels it (the draft's "rejected").
 */
export function answerOffer(
  ctx: ServerContext,
  session: ServerSession,
  frame: AcceptFileFrame | RejectFileFrame,
): void {
  const t = ctx.transfers.get(frame.id);
  const matches =
    t !== undefined &&
    t.target === session &&
    t.remote?.local !== 'source' &&
    t.sourceName === frame.source &&
    t.targetName === frame.target &&
    (t.state === 'offered' || frame.kind === Kind.REJECT_FILE);
  if (!matches) {
    // The offerer left (or the offer ended) while this reply was on its way.
    if (t === undefined && session.cancelled.has(frame.id)) return;
    tellOfferer(ctx, frame.source, frames.reject({ ...frame, id: 0 }));
    const what = frame.kind === Kind.ACCEPT_FILE ? 'ACCEPT_FILE' : 'REJECT_FILE';
    ctx.fail(
      session,
      ErrorCode.ILLEGAL_NAME,
      `${what} for id ${frame.id} from '${frame.source}' matches no transfer offered to this client`,
    );
    return;
  }
  if (t.remote !== null) {
    answerRemote(ctx, t, frame);
    return;
  }
  // Forwarded with the offer's own fields: the offerer matches replies to its offers by them,
  // so a target that altered the size or file name must not leave the offer unanswered.
  t.source.send(
    frame.kind === Kind.ACCEPT_FILE ? frames.accept(fields(t)) : frames.reject(fields(t)),
  );
  recordAnswer(ctx, t, frame.kind, t.source);
}

/**
 * FILE_TRANSFER: forwarded unchanged to the target of an accepted transfer sent by this
 * client; anything else is ILLEGAL_TRANSFER. While the target's socket is backed up the
 * sender's socket is paused, so the server never buffers a file (§6.9).
 *
 * The size is enforced one way only: a chunk that takes the total past the declared size is
 * illegal, but `finished` before the size is reached is forwarded and ends the transfer (§6.5
 * does not list it; the receiver checks the size, and the SDK ends a cancelled upload so).
 * Likewise a chunk that reaches the size without `finished` is forwarded and the transfer
 * stays live until `finished` comes (which, with no byte left to send, cannot) or a party
 * leaves: the draft's MUST on the flag binds the sender, and the receiver can tell.
 */
export function relayChunk(
  ctx: ServerContext,
  session: ServerSession,
  frame: FileTransferFrame,
): void {
  const t = ctx.transfers.get(frame.id);
  let problem: string | null = null;
  if (t === undefined) {
    if (session.cancelled.has(frame.id)) return; // in flight when the transfer ended
    problem = `no live transfer has id ${frame.id}`;
  } else if (t.source !== session || t.remote?.local === 'target') {
    problem = `transfer ${frame.id} is not sent by this client`;
  } else if (t.state !== 'accepted') {
    problem = `transfer ${frame.id} has not been accepted yet`;
  } else if (t.relayed + frame.data.length > t.size) {
    problem = `transfer ${frame.id} would exceed its declared ${t.size} bytes`;
  }
  if (problem !== null || t === undefined) {
    ctx.fail(session, ErrorCode.ILLEGAL_TRANSFER, problem ?? 'invalid chunk');
    return;
  }
  if (t.remote !== null) {
    relayRemoteChunk(ctx, session, t, frame);
    return;
  }
  t.relayed += frame.data.length;
  const target = t.target;
  // Forwarded unchanged, so the data is not copied: a fresh head and the received bytes.
  const flowing = target.relay(chunkHead(frame.id, frame.finished, frame.data.length), frame.data);
  if (frame.finished) {
    forget(ctx, t, 'completed');
    // The receiver may have sent REJECT_FILE (a cancel) before this chunk reached it.
    rememberCancelled(target, t.id);
    logTransfer(ctx, 'transfer completed', t);
  }
  if (!flowing && !target.conn.closing && !target.blockedSenders.has(session)) {
    if (target.blockedSenders.size === 0) target.blockedSince = Date.now();
    target.blockedSenders.add(session);
    session.blockedOn.add(target);
    session.conn.pause();
  }
}

/** The session's socket drained: offerers paused for it may send again. */
export function releaseSenders(receiver: ServerSession): void {
  for (const sender of receiver.blockedSenders) {
    sender.blockedOn.delete(receiver);
    if (sender.blockedOn.size === 0) {
      // Its silence while paused was the server's doing: its heartbeat clock restarts now, so
      // a sweep that runs before its queued bytes are read cannot take it for dead.
      sender.conn.lastReceivedAt = Date.now();
      sender.resumeIfFree();
    }
  }
  receiver.blockedSenders.clear();
  receiver.holdsRemote = false;
  receiver.blockedSince = 0;
}

/**
 * The session is going away: every transfer it is part of ends, and the other party gets
 * REJECT_FILE with the transfer's fields and id (§6.7). Backpressure ties are released.
 */
export function abortTransfers(ctx: ServerContext, session: ServerSession): void {
  for (const id of [...session.transfers]) {
    const t = ctx.transfers.get(id);
    if (t === undefined) continue;
    if (t.remote !== null) abortRemote(ctx, t);
    forget(ctx, t, 'aborted');
    const other = t.source === session ? t.target : t.source;
    if (other !== session && other.state !== 'closed') {
      other.send(frames.reject(fields(t)));
      rememberCancelled(other, t.id);
    }
    logTransfer(ctx, 'transfer aborted', t);
  }
  session.transfers.clear();
  releaseSenders(session);
  for (const receiver of session.blockedOn) {
    receiver.blockedSenders.delete(session);
    if (receiver.blockedSenders.size === 0) receiver.blockedSince = 0;
  }
  session.blockedOn.clear();
}
