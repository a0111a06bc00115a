import {
  encode,
  type FileNegotiation,
  type Frame,
  frames,
  Kind,
} from '../../src/protocol/index.js';
import type { Rng } from './rng.js';

// Small pools, so that fuzzed clients meet: the same names, rooms and transfer ids recur.
const NAMES = Array.from({ length: 12 }, (_, i) => `fz${i}`);
const ROOMS = Array.from({ length: 6 }, (_, i) => `zone${i}`);
const TEXTS = ['hi', 'x'.repeat(300), 'héllo wörld', '🙂 emoji', 'tab\there', 'a'];
const CLIENT_KINDS = [
  Kind.NEW_CLIENT,
  Kind.HEARTBEAT,
  Kind.ENTER_ROOM,
  Kind.LEAVE_ROOM,
  Kind.LIST_ROOMS,
  Kind.QUERY_USER,
  Kind.SEND_MESSAGE,
  Kind.BROADCAST_MESSAGE,
  Kind.DIRECT_MESSAGE,
  Kind.OFFER_FILE,
  Kind.ACCEPT_FILE,
  Kind.REJECT_FILE,
  Kind.FILE_TRANSFER,
  Kind.CLIENT_DEPARTS,
];

/** A name from the shared pool. */
export function poolName(rng: Rng): string {
  return rng.pick(NAMES);
}

function negotiation(rng: Rng, self: string): FileNegotiation {
  return {
    target: rng.chance(0.3) ? `absent${rng.int(100)}` : rng.pick(NAMES),
    source: rng.chance(0.8) ? self : rng.pick(NAMES),
    id: rng.chance(0.5) ? rng.int(8) : rng.int(65_536),
    size: rng.pick([0, 1, 4096, 10_000, 0xffff_ffff]),
    fileName: rng.pick(['a.txt', 'report.pdf', 'x'.repeat(200)]),
  };
}

/** A valid client frame of any kind, its fields drawn from the shared pools. */
export function validFrame(rng: Rng, self: string): Frame {
  switch (rng.pick(CLIENT_KINDS)) {
    case Kind.NEW_CLIENT:
      return frames.newClient(rng.pick(NAMES));
    case Kind.HEARTBEAT:
      return frames.heartbeat();
    case Kind.ENTER_ROOM:
      return frames.enterRoom(rng.pick(ROOMS));
    case Kind.LEAVE_ROOM:
      return frames.leaveRoom(rng.pick(ROOMS));
    case Kind.LIST_ROOMS:
      return frames.listRooms();
    case Kind.QUERY_USER:
      return frames.queryUser(rng.pick(NAMES));
    case Kind.SEND_MESSAGE:
      return frames.send(rng.pick(ROOMS), rng.pick(TEXTS));
    case Kind.BROADCAST_MESSAGE:
      return frames.broadcast(rng.pick(TEXTS), rng.chance(0.5) ? 'draft' : 'text');
    case Kind.DIRECT_MESSAGE:
      return frames.directTo(rng.pick(NAMES), rng.pick(TEXTS));
    case Kind.OFFER_FILE:
      return frames.offer({ ...negotiation(rng, self), id: 0 });
    case Kind.ACCEPT_FILE:
      return frames.accept(negotiation(rng, self));
    case Kind.REJECT_FILE:
      return frames.reject(negotiation(rng, self));
    case Kind.FILE_TRANSFER:
      return frames.chunk(rng.int(10), rng.bytes(1 + rng.int(64)), rng.chance(0.2));
    default:
      return frames.clientDeparts(rng.pick(TEXTS));
  }
}

/** What `mutate` did, for the counters. */
export type Mutation = 'flip' | 'truncate' | 'kind' | 'length' | 'garbage' | 'random';

/** One mutated frame: a valid one with bytes flipped, cut, re-kinded or re-sized, or noise. */
export function mutatedFrame(rng: Rng, self: string): { bytes: Buffer; mutation: Mutation } {
  const bytes = Buffer.from(encode(validFrame(rng, self)));
  const mutation = rng.pick<Mutation>(['flip', 'truncate', 'kind', 'length', 'garbage', 'random']);
  switch (mutation) {
    case 'flip': {
      const flips = 1 + rng.int(4);
      for (let i = 0; i < flips; i++) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
      return { bytes, mutation };
    }
    case 'truncate':
      return { bytes: bytes.subarray(0, rng.int(bytes.length)), mutation };
    case 'kind':
      bytes[0] = rng.int(256);
      return { bytes, mutation };
    case 'length':
      bytes.writeUInt32BE(
        rng.pick([0, 1, bytes.length - 5 + 1, 0xffff_ffff, rng.int(0x1_0000_0000)]) >>> 0,
        1,
      );
      return { bytes, mutation };
    case 'garbage':
      return { bytes: Buffer.concat([bytes, rng.bytes(1 + rng.int(32))]), mutation };
    default: {
      // A header of a random kind and a length that fits the bytes that follow.
      const body = rng.bytes(rng.int(200));
      const head = Buffer.alloc(5);
      head[0] = rng.int(0x16);
      head.writeUInt32BE(body.length, 1);
      return { bytes: Buffer.concat([head, body]), mutation };
    }
  }
}

/**
 * A valid-but-hostile run of frames: offers to absent users, accepts and chunks for other
 * people's transfers, floods of joins, and registering names that are taken.
 */
export function hostileRun(rng: Rng, self: string): Frame[] {
  switch (rng.int(4)) {
    case 0:
      return Array.from({ length: 1 + rng.int(20) }, () =>
        frames.offer({
          target: `absent${rng.int(1000)}`,
          source: self,
          id: 0,
          size: 1 + rng.int(1000),
          fileName: 'ghost.bin',
        }),
      );
    case 1:
      return Array.from({ length: 1 + rng.int(20) }, () =>
        rng.chance(0.5)
          ? frames.chunk(1 + rng.int(64), rng.bytes(1 + rng.int(16)), rng.chance(0.3))
          : frames.accept(negotiation(rng, self)),
      );
    case 2:
      return Array.from({ length: 10 + rng.int(200) }, (_, i) =>
        frames.enterRoom(`flood${(i + rng.int(10_000)) % 5000}`),
      );
    default:
      return Array.from({ length: 1 + rng.int(5) }, () => frames.newClient(rng.pick(NAMES)));
  }
}
