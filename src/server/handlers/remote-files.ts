import {
  type AcceptFileFrame,
  type FileTransferFrame,
  frames,
  Kind,
  type OfferFileFrame,
  type RejectFileFrame,
} from '../../protocol/index.js';
import type { FileControl } from '../cluster/link.js';
import type { ServerContext } from '../context.js';
import type { ServerSession } from '../session.js';
import type { Transfer } from '../transfers.js';
import {
  chunkHead,
  fields,
  forget,
  logTransfer,
  recordAnswer,
  rememberCancelled,
} from './transfer-records.js';

// File relay between two nodes of a cluster. Each node keeps its own record of the transfer,
// under an id of its own (the ids its client sees), and tells the other node of every step.
// Data is bounded on every hop by credit: the offerer's node sends at most WINDOW bytes past
// what the target's node has written to the target's socket, then stops reading the offerer.

/** Bytes in flight between the nodes (in Redis, or queued to the target) per transfer. */
export const REMOTE_WINDOW_BYTES = 1024 * 1024;
/** The target's node credits back written bytes in steps of this many. */
const CREDIT_STEP_BYTES = 256 * 1024;

function control(ctx: ServerContext, node: string, message: Omit<FileControl, 'n'>): void {
  ctx.cluster?.sendFileControl(node, message);
}

/** OFFER_FILE to `frame.target`, who is on `node`: recorded here, offered there. */
export function offerRemote(
  ctx: ServerContext,
  session: ServerSession,
  frame: OfferFileFrame,
  node: string,
): boolean {
  const t = ctx.transfers.create({
    source: session,
    target: session,
    sourceName: session.name,
    targetName: frame.target,
    size: frame.size,
    fileName: frame.fileName,
    remote: { node, id: 0, local: 'source', unacked: 0, paused: false },
  });
  if (t === undefined) return false;
  session.offering++;
  session.transfers.add(t.id);
  session.cancelled.delete(t.id);
  control(ctx, node, {
    t: 'fo',
    to: 0,
    peer: t.id,
    target: frame.target,
    source: session.name,
    size: frame.size,
    name: frame.fileName,
  });
  logTransfer(ctx, 'transfer offered', t);
  return true;
}

/** The target (here) answered an offer from another node. */
export function answerRemote(
  ctx: ServerContext,
  t: Transfer<ServerSession>,
  frame: AcceptFileFrame | RejectFileFrame,
): void {
  const remote = t.remote!;
  const rejected = frame.kind === Kind.REJECT_FILE;
  control(ctx, remote.node, { t: rejected ? 'fr' : 'fa', to: remote.id, peer: t.id });
  recordAnswer(ctx, t, frame.kind, t.target);
}

/** A chunk from the offerer (here) for a target on another node. */
export function relayRemoteChunk(
  ctx: ServerContext,
  session: ServerSession,
  t: Transfer<ServerSession>,
  frame: FileTransferFrame,
): void {
  const remote = t.remote!;
  t.relayed += frame.data.length;
  remote.unacked += frame.data.length;
  ctx.cluster?.sendChunk(remote.node, remote.id, frame.finished, frame.data);
  if (frame.finished) {
    forget(ctx, t, 'completed');
    logTransfer(ctx, 'transfer completed', t);
    return;
  }
  if (remote.unacked >= REMOTE_WINDOW_BYTES && !remote.paused) {
    remote.paused = true;
    session.remoteWaits++;
    session.conn.pause();
  }
}

/** A party here left: the other node ends its side too. */
export function abortRemote(ctx: ServerContext, t: Transfer<ServerSession>): void {
  const remote = t.remote!;
  control(ctx, remote.node, { t: 'fx', to: remote.id, peer: t.id });
}

/** This node's record of the transfer another node calls `to` (or, before it knew, `peer`). */
function find(ctx: ServerContext, from: string, m: FileControl): Transfer<ServerSession> | null {
  const byId = m.to === 0 ? undefined : ctx.transfers.get(m.to);
  if (byId !== undefined) return byId.remote?.node === from ? byId : null;
  for (const t of ctx.transfers.values()) {
    if (t.remote?.node === from && t.remote.id === m.peer) return t;
  }
  return null;
}

/** Ends `t` because the other node said so (or is gone): its local party is told. */
function endHere(ctx: ServerContext, t: Transfer<ServerSession>, why: string): void {
  const party = t.remote!.local === 'source' ? t.source : t.target;
  party.send(frames.reject(fields(t)));
  forget(ctx, t, t.state === 'accepted' ? 'aborted' : 'rejected');
  rememberCancelled(party, t.id);
  logTransfer(ctx, why, t);
}

/** A file step from another node. */
export function fileControl(ctx: ServerContext, m: FileControl): void {
  if (m.t === 'fo') {
    receiveOffer(ctx, m);
    return;
  }
  const t = find(ctx, m.n, m);
  if (t === null) return; // it ended here meanwhile; the other side hears of that
  const remote = t.remote!;
  switch (m.t) {
    case 'fa':
      if (t.state !== 'offered' || remote.local !== 'source') return;
      remote.id = m.peer;
      t.state = 'accepted';
      t.source.send(frames.accept(fields(t)));
      logTransfer(ctx, 'transfer accepted', t);
      if (t.size === 0) {
        forget(ctx, t, 'completed');
        logTransfer(ctx, 'transfer completed', t);
      }
      return;
    case 'fr':
    case 'fx':
      endHere(ctx, t, m.t === 'fr' ? 'transfer rejected' : 'transfer aborted');
      return;
    case 'fc':
      remote.unacked -= m.bytes ?? 0;
      if (remote.paused && remote.unacked < REMOTE_WINDOW_BYTES) {
        remote.paused = false;
        t.source.remoteWaits--;
        t.source.resumeIfFree();
      }
      return;
  }
}

/** An offer from a user on another node to a user here. */
function receiveOffer(ctx: ServerContext, m: FileControl): void {
  const target = ctx.registry.user(m.target ?? '');
  const t =
    target === undefined
      ? undefined
      : ctx.transfers.create({
          source: target,
          target,
          sourceName: m.source ?? '',
          targetName: target.name,
          size: m.size ?? 0,
          fileName: m.name ?? '',
          remote: { node: m.n, id: m.peer, local: 'target', unacked: 0, paused: false },
        });
  if (t === undefined) {
    control(ctx, m.n, { t: 'fr', to: m.peer, peer: 0 });
    return;
  }
  t.target.transfers.add(t.id);
  t.target.cancelled.delete(t.id);
  t.target.send(frames.offer(fields(t)));
  logTransfer(ctx, 'transfer offered', t);
}

/** A chunk from another node for transfer `id` here. */
export function fileChunk(ctx: ServerContext, id: number, finished: boolean, data: Buffer): void {
  const t = ctx.transfers.get(id);
  if (t === undefined || t.remote?.local !== 'target' || t.state !== 'accepted') return;
  const remote = t.remote;
  t.relayed += data.length;
  const credit = () => {
    remote.unacked += data.length;
    if (remote.unacked >= CREDIT_STEP_BYTES) {
      control(ctx, remote.node, { t: 'fc', to: remote.id, peer: t.id, bytes: remote.unacked });
      remote.unacked = 0;
    }
  };
  const target = t.target;
  const flowing = target.relay(
    chunkHead(t.id, finished, data.length),
    data,
    finished ? undefined : credit,
  );
  if (!flowing && !target.conn.closing && !target.holdsRemote) target.holdRemote();
  if (finished) {
    forget(ctx, t, 'completed');
    rememberCancelled(t.target, t.id);
    logTransfer(ctx, 'transfer completed', t);
  }
}

/** `node` is gone (its lease ran out, or it left): every transfer with it ends here. */
export function nodeGone(ctx: ServerContext, node: string): void {
  for (const t of [...ctx.transfers.values()]) {
    if (t.remote?.node === node) endHere(ctx, t, 'transfer aborted: node gone');
  }
}
