/**
 * Frame kinds of the protocol (CLARIFICATIONS §1). The header's first byte.
 *
 * @example
 * if (frame.kind === Kind.POST_MESSAGE) console.log(frame.text)
 */
export const Kind = {
  ERR: 0x01,
  NEW_CLIENT: 0x02,
  HEARTBEAT: 0x03,
  ENTER_ROOM: 0x04,
  LEAVE_ROOM: 0x05,
  LIST_ROOMS: 0x06,
  ROOM_LISTING: 0x07,
  USER_LISTING: 0x08,
  QUERY_USER: 0x09,
  SEND_MESSAGE: 0x0a,
  BROADCAST_MESSAGE: 0x0b,
  POST_MESSAGE: 0x0c,
  DIRECT_MESSAGE: 0x0d,
  OFFER_FILE: 0x0e,
  ACCEPT_FILE: 0x0f,
  REJECT_FILE: 0x10,
  FILE_TRANSFER: 0x11,
  CLIENT_DEPARTS: 0x12,
  SERVER_DEPARTS: 0x13,
} as const;

/** Any kind byte value that the protocol defines. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The symbolic name of a kind, e.g. `'POST_MESSAGE'`. */
export type KindName = keyof typeof Kind;

/**
 * Error codes carried by an ERR frame (CLARIFICATIONS §1).
 *
 * @example
 * socket.write(encode(frames.error(ErrorCode.NAME_IN_USE)))
 */
export const ErrorCode = {
  UNKNOWN: 0x01,
  ILLEGAL_KIND: 0x02,
  ILLEGAL_LENGTH: 0x03,
  NAME_IN_USE: 0x04,
  ILLEGAL_NAME: 0x05,
  ILLEGAL_MESSAGE: 0x06,
  ILLEGAL_TRANSFER: 0x07,
  TOO_MANY_USERS: 0x08,
  TOO_MANY_ROOMS: 0x09,
} as const;

/** Any error code value that the protocol defines. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KIND_NAMES = new Map<number, KindName>(
  Object.entries(Kind).map(([name, value]) => [value, name as KindName]),
);
const ERROR_NAMES = new Map<number, string>(
  Object.entries(ErrorCode).map(([name, value]) => [value, name]),
);

/** The symbolic name of a kind byte, or `undefined` when the byte is not a kind. */
export function kindName(kind: number): KindName | undefined {
  return KIND_NAMES.get(kind);
}

/** The symbolic name of an error code, or `UNKNOWN(0xNN)` for a value outside the table. */
export function errorCodeName(code: number): string {
  return ERROR_NAMES.get(code) ?? `UNKNOWN(0x${code.toString(16).padStart(2, '0')})`;
}

/** Size of the frame header: kind u8 + length u32 (big-endian). */
export const HEADER_BYTES = 5;
/** Size of every fixed name field (users, rooms, listing identifiers). */
export const NAME_FIELD_BYTES = 64;
/** Most code points a user or room name may have. */
export const MAX_NAME_CODE_POINTS = 32;
/** A message, NUL included, must be fewer than this many bytes (so at most 11999). */
export const MESSAGE_BYTES_LIMIT = 12_000;
/** The largest message payload, NUL included. */
export const MAX_MESSAGE_BYTES = MESSAGE_BYTES_LIMIT - 1;
/** The largest file name, in bytes. */
export const MAX_FILE_NAME_BYTES = 1023;
/** The largest data part of one FILE_TRANSFER chunk. */
export const MAX_CHUNK_BYTES = 4096;
/** Largest file size a transfer can declare (u32). */
export const MAX_FILE_SIZE = 0xffff_ffff;
/** Fixed part of OFFER/ACCEPT/REJECT_FILE: target + source + id u16 + size u32. */
export const FILE_NEGOTIATION_FIXED_BYTES = NAME_FIELD_BYTES * 2 + 2 + 4;
/** Fixed part of FILE_TRANSFER: id u16 + finished u8. */
export const FILE_TRANSFER_FIXED_BYTES = 3;
/** Default cap a client puts on one ROOM_LISTING or USER_LISTING payload. */
export const DEFAULT_MAX_LISTING_BYTES = 8 * 1024 * 1024;

/** The protocol's well-known TCP port. */
export const DEFAULT_PORT = 17734;
/** How often relaykit sends a heartbeat (the draft requires at least every 5 s). */
export const HEARTBEAT_INTERVAL_MS = 4_000;
/** Default silence after which a peer counts as gone. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
/** The draft forbids a silence timeout shorter than this. */
export const MIN_HEARTBEAT_TIMEOUT_MS = 20_000;
