import {
  FILE_NEGOTIATION_FIXED_BYTES,
  FILE_TRANSFER_FIXED_BYTES,
  Kind,
  MAX_CHUNK_BYTES,
  MAX_FILE_NAME_BYTES,
  MAX_MESSAGE_BYTES,
  NAME_FIELD_BYTES,
} from './constants.js';
import type { Side } from './frames.js';

/** Valid payload lengths of one kind: `min ≤ length ≤ max`, and a multiple of `step` past `min`. */
export interface LengthRange {
  readonly min: number;
  readonly max: number;
  /** Listings grow in 64-byte names; every other kind has step 1. */
  readonly step: number;
}

const NAME = NAME_FIELD_BYTES;
const MESSAGE = { min: 2, max: MAX_MESSAGE_BYTES };
const range = (min: number, max: number, step = 1): LengthRange => ({ min, max, step });

/**
 * Payload length ranges of every kind (CLARIFICATIONS §2). Listings have no ceiling of their
 * own (`Infinity`); a client caps them with its `maxListingBytes`.
 */
export const LENGTHS: ReadonlyMap<number, LengthRange> = new Map([
  [Kind.ERR, range(1, 1)],
  [Kind.NEW_CLIENT, range(NAME, NAME)],
  [Kind.HEARTBEAT, range(0, 0)],
  [Kind.ENTER_ROOM, range(NAME, NAME)],
  [Kind.LEAVE_ROOM, range(NAME, NAME)],
  [Kind.LIST_ROOMS, range(0, 0)],
  [Kind.ROOM_LISTING, range(NAME, Number.POSITIVE_INFINITY, NAME)],
  [Kind.USER_LISTING, range(NAME, Number.POSITIVE_INFINITY, NAME)],
  [Kind.QUERY_USER, range(NAME + 1, NAME + 1)],
  [Kind.SEND_MESSAGE, range(NAME + MESSAGE.min, NAME + MESSAGE.max)],
  // Text alone (2 bytes and up) or the draft's target field plus text (CLARIFICATIONS §5.3).
  [Kind.BROADCAST_MESSAGE, range(MESSAGE.min, NAME + MESSAGE.max)],
  [Kind.POST_MESSAGE, range(2 * NAME + MESSAGE.min, 2 * NAME + MESSAGE.max)],
  [Kind.DIRECT_MESSAGE, range(NAME + MESSAGE.min, NAME + MESSAGE.max)],
  [
    Kind.OFFER_FILE,
    range(FILE_NEGOTIATION_FIXED_BYTES + 1, FILE_NEGOTIATION_FIXED_BYTES + MAX_FILE_NAME_BYTES),
  ],
  [
    Kind.ACCEPT_FILE,
    range(FILE_NEGOTIATION_FIXED_BYTES + 1, FILE_NEGOTIATION_FIXED_BYTES + MAX_FILE_NAME_BYTES),
  ],
  [
    Kind.REJECT_FILE,
    range(FILE_NEGOTIATION_FIXED_BYTES + 1, FILE_NEGOTIATION_FIXED_BYTES + MAX_FILE_NAME_BYTES),
  ],
  [
    Kind.FILE_TRANSFER,
    range(FILE_TRANSFER_FIXED_BYTES + 1, FILE_TRANSFER_FIXED_BYTES + MAX_CHUNK_BYTES),
  ],
  [Kind.CLIENT_DEPARTS, range(0, MAX_MESSAGE_BYTES)],
  [Kind.SERVER_DEPARTS, range(0, MAX_MESSAGE_BYTES)],
]);

/** Kinds a client sends, and so the only kinds a server accepts. */
export const CLIENT_SENDS: ReadonlySet<number> = new Set([
  Kind.ERR,
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
]);

/** Kinds a server sends, and so the only kinds a client accepts. */
export const SERVER_SENDS: ReadonlySet<number> = new Set([
  Kind.ERR,
  Kind.HEARTBEAT,
  Kind.ROOM_LISTING,
  Kind.USER_LISTING,
  Kind.QUERY_USER,
  Kind.POST_MESSAGE,
  Kind.DIRECT_MESSAGE,
  Kind.OFFER_FILE,
  Kind.ACCEPT_FILE,
  Kind.REJECT_FILE,
  Kind.FILE_TRANSFER,
  Kind.SERVER_DEPARTS,
]);

/** The kinds that a decoder working for `side` accepts. */
export function receivedBy(side: Side): ReadonlySet<number> {
  return side === 'server' ? CLIENT_SENDS : SERVER_SENDS;
}
