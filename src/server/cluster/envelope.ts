/**
 * What one node publishes to another besides room changes (which Redis's scripts publish as
 * JSON, first byte `{`): encoded frames for the target node's local clients, with the room
 * or user they go to. Binary, so a post crosses Redis as the bytes its members receive.
 *
 * Layout: kind u8, frame count u32, sequence u32, key length u16, key (UTF-8), frames. The
 * sequence is used by posts only: the posting node's running count of post bytes it has
 * published (modulo 2^32), which the receiving nodes acknowledge (see `PostFlow`).
 */

/** Posts for the local members of a room (key: the room). */
export const ENVELOPE_POSTS = 0x01;
/** A frame for one local user (key: the user's name). */
export const ENVELOPE_DIRECT = 0x02;

/** A file chunk for a transfer on the receiving node: kind, id u16, finished u8, data. */
export const ENVELOPE_CHUNK = 0x03;

/** Builds a chunk message: the head, then the data as read from the offerer. */
export function encodeChunk(id: number, finished: boolean, data: Uint8Array): Buffer {
  const head = Buffer.allocUnsafe(4);
  head[0] = ENVELOPE_CHUNK;
  head.writeUInt16BE(id, 1);
  head[3] = finished ? 1 : 0;
  return Buffer.concat([head, data]);
}

/** Reads a chunk message; null when `message` is not one. */
export function decodeChunk(
  message: Buffer,
): { id: number; finished: boolean; data: Buffer } | null {
  if (message.length < 4 || message[0] !== ENVELOPE_CHUNK) return null;
  return { id: message.readUInt16BE(1), finished: message[3] === 1, data: message.subarray(4) };
}

/** A decoded envelope. */
export interface Envelope {
  kind: typeof ENVELOPE_POSTS | typeof ENVELOPE_DIRECT;
  key: string;
  /** How many frames `frames` holds (0 in a post probe: see `PostFlow`). */
  count: number;
  /** Posts: the sender node's post bytes published up to and including these (mod 2^32). */
  seq: number;
  frames: Buffer;
}

const HEAD_BYTES = 11;

/** Builds an envelope around already-encoded frames. */
export function encodeEnvelope(
  kind: Envelope['kind'],
  key: string,
  count: number,
  frames: readonly Buffer[],
  seq = 0,
): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const head = Buffer.allocUnsafe(HEAD_BYTES + keyBytes.length);
  head[0] = kind;
  head.writeUInt32BE(count, 1);
  head.writeUInt32BE(seq >>> 0, 5);
  head.writeUInt16BE(keyBytes.length, 9);
  keyBytes.copy(head, HEAD_BYTES);
  return Buffer.concat([head, ...frames]);
}

/** Reads an envelope; null when `message` is not one (a JSON room change, or damaged). */
export function decodeEnvelope(message: Buffer): Envelope | null {
  if (message.length < HEAD_BYTES) return null;
  const kind = message[0];
  if (kind !== ENVELOPE_POSTS && kind !== ENVELOPE_DIRECT) return null;
  const keyLength = message.readUInt16BE(9);
  if (message.length < HEAD_BYTES + keyLength) return null;
  return {
    kind,
    count: message.readUInt32BE(1),
    seq: message.readUInt32BE(5),
    key: message.toString('utf8', HEAD_BYTES, HEAD_BYTES + keyLength),
    frames: message.subarray(HEAD_BYTES + keyLength),
  };
}
