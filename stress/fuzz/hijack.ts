import { createHash } from 'node:crypto';
import {
  ErrorCode,
  type FileNegotiation,
  type FileTransferFrame,
  frames,
  Kind,
  kindName,
  type ServerFrame,
} from '../../src/protocol/index.js';
import { RawPeer } from './raw-peer.js';
import type { Rng } from './rng.js';

/** One thing a stranger does to a live transfer, and the ERR it must earn. */
interface Move {
  what: string;
  expect: number;
  frame: (f: FileNegotiation) => Parameters<RawPeer['send']>[0];
}

// While the transfer is offered, and again once it is accepted, strangers answer it, cancel
// it, claim to be its source, and send its chunks. Each one must be closed with its error,
// and none of it may reach the two parties as anything but the draft's REJECT_FILE id 0.
const MOVES: Move[] = [
  {
    what: 'chunk',
    expect: ErrorCode.ILLEGAL_TRANSFER,
    frame: (f) => frames.chunk(f.id, Buffer.from('not yours'), false),
  },
  {
    what: 'last chunk',
    expect: ErrorCode.ILLEGAL_TRANSFER,
    frame: (f) => frames.chunk(f.id, Buffer.from('the end'), true),
  },
  { what: 'accept', expect: ErrorCode.ILLEGAL_NAME, frame: (f) => frames.accept(f) },
  { what: 'reject', expect: ErrorCode.ILLEGAL_NAME, frame: (f) => frames.reject(f) },
  {
    what: 'offer as its source',
    expect: ErrorCode.ILLEGAL_NAME,
    frame: (f) => frames.offer({ ...f, id: 0 }),
  },
];

/** What one round did, for the campaign's counters. */
export interface HijackResult {
  intrusions: number;
  bytes: number;
}

/**
 * A live transfer between two fuzzing clients, with strangers sending its accepts, rejects
 * and chunks by its real id while it is offered, while it is half sent and after it ended.
 * Throws unless every stranger is closed with the error it earned and the target receives
 * exactly the source's bytes (sha256 compared) with no cancel. The ids come from the server,
 * so this is the one part of the campaign whose bytes are not fixed by the seed alone.
 * Given the ports of several nodes of one cluster, the source is on the first, the target on
 * the last and the strangers on each in turn; each node numbers its transfers itself, so a
 * stranger uses the id the transfer has on its own node (the source's once it is accepted).
 */
export async function hijackRound(
  host: string,
  ports: readonly number[],
  rng: Rng,
  tag: string,
): Promise<HijackResult> {
  const source = await RawPeer.registered(host, ports[0]!, `${tag}s`);
  const target = await RawPeer.registered(host, ports.at(-1)!, `${tag}t`).catch((err: unknown) => {
    source.destroy();
    throw err;
  });
  let strangers = 0;
  /** The transfer's id on the source's node, once the source was told it (ACCEPT_FILE). */
  let sourceId: number | null = null;
  const intrude = async (f: FileNegotiation, phase: string): Promise<void> => {
    const n = 1 + rng.int(4);
    const at = Array.from({ length: n }, (_, i) => ports[(strangers + i) % ports.length]!);
    const peers = await Promise.all(
      at.map((port, i) => RawPeer.registered(host, port, `${tag}x${strangers + i}`)),
    );
    strangers += n;
    await Promise.all(
      peers.map(async (peer, i) => {
        const move = rng.pick(MOVES);
        const id = at[i] === ports[0] && sourceId !== null ? sourceId : f.id;
        peer.send(move.frame({ ...f, id }));
        const code = await peer.closedWith();
        if (code !== move.expect) {
          throw new Error(
            `a stranger's ${move.what} for transfer ${id} (${phase}) got ERR ${code ?? 'none'}, not ${move.expect}`,
          );
        }
      }),
    );
  };
  try {
    const data = rng.bytes(1 + rng.int(40_000));
    const offer: FileNegotiation = {
      target: target.name,
      source: source.name,
      id: 0,
      size: data.length,
      fileName: 'hijacked.bin',
    };
    source.send(frames.offer(offer));
    const offered = await target.next((f) => f.kind === Kind.OFFER_FILE);
    const live = { ...offer, id: (offered as FileNegotiation).id };
    await intrude(live, 'offered');
    target.send(frames.accept(live));
    const accepted = await source.next(
      (f) => f.kind === Kind.ACCEPT_FILE && f.target === target.name && f.size === data.length,
    );
    sourceId = (accepted as FileNegotiation).id;
    if (ports.length === 1 && sourceId !== live.id) {
      throw new Error(`transfer ${live.id} was accepted as ${sourceId}`);
    }
    const cut = rng.int(data.length);
    const sendChunks = (from: number, to: number, last: boolean): void => {
      for (let at = from; at < to; at += 4096) {
        const end = Math.min(to, at + 4096);
        source.send(frames.chunk(sourceId!, data.subarray(at, end), last && end === to));
      }
    };
    sendChunks(0, cut, false);
    await intrude(live, 'half sent');
    sendChunks(cut, data.length, true);
    const received: Buffer[] = [];
    for (;;) {
      const f = await target.next(
        (x) => x.kind === Kind.FILE_TRANSFER || (x.kind === Kind.REJECT_FILE && x.id !== 0),
      );
      if (f.kind !== Kind.FILE_TRANSFER) {
        throw new Error(`transfer ${live.id} was cancelled: ${kindName(f.kind)}`);
      }
      const chunk = f as FileTransferFrame;
      if (chunk.id !== live.id) throw new Error(`a chunk for id ${chunk.id} reached the target`);
      received.push(Buffer.from(chunk.data));
      if (chunk.finished) break;
    }
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    if (sha(Buffer.concat(received)) !== sha(data)) {
      throw new Error(`transfer ${live.id}: the target's sha256 differs from the source's`);
    }
    await intrude(live, 'ended');
    // The source may see REJECT_FILE id 0 (the draft's answer to a stranger's accept or
    // reject naming it); a cancel with the live id would mean a stranger ended the transfer.
    const cancel = (f: ServerFrame): boolean => f.kind === Kind.REJECT_FILE && f.id === sourceId;
    if (source.inbox.some(cancel)) throw new Error(`transfer ${live.id}: the source saw a cancel`);
    // Gone from the server before the round ends, so a batch leaves only the bystanders.
    await Promise.all([source.depart(), target.depart()]);
    return { intrusions: strangers, bytes: data.length };
  } finally {
    source.destroy();
    target.destroy();
  }
}
