import {
  ErrorCode,
  FILE_TRANSFER_FIXED_BYTES,
  HEADER_BYTES,
  Kind,
  MAX_CHUNK_BYTES,
} from './constants.js';
import { ProtocolError } from './errors.js';

const FRAME_OVERHEAD = HEADER_BYTES + FILE_TRANSFER_FIXED_BYTES;

/**
 * Encodes `data` as the run of FILE_TRANSFER frames that carry it, 4096 bytes each (the last
 * may be shorter), into one buffer: the same bytes as `encode` of each `frames.chunk`, for one
 * allocation and one copy per run instead of per chunk. With `finished`, the last frame of
 * the run is marked as the transfer's last. Given `into` (at least `encodedChunksBytes`
 * long), the frames are written there and a view of it is returned.
 *
 * @example
 * socket.write(encodeChunks(7, piece, false)) // 64 frames for a 256 KiB piece
 */
export function encodeChunks(
  id: number,
  data: Uint8Array,
  finished: boolean,
  into?: Buffer,
): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new ProtocolError(
      'ILLEGAL_FIELD',
      ErrorCode.UNKNOWN,
      `Cannot encode: a transfer id must be an integer from 0 to 65535, got ${id}`,
    );
  }
  if (data.length === 0) {
    throw new ProtocolError(
      'ILLEGAL_CHUNK_SIZE',
      ErrorCode.ILLEGAL_LENGTH,
      'Cannot encode: a chunk carries 1 to 4096 bytes, got 0',
    );
  }
  const count = Math.ceil(data.length / MAX_CHUNK_BYTES);
  const bytes = data.length + count * FRAME_OVERHEAD;
  // `into`: a buffer of the caller's to reuse (fresh memory costs a page fault per 4 KiB).
  const out =
    into !== undefined && into.length >= bytes
      ? into.subarray(0, bytes)
      : Buffer.allocUnsafe(bytes);
  let pos = 0;
  for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES) {
    const end = Math.min(data.length, at + MAX_CHUNK_BYTES);
    out[pos] = Kind.FILE_TRANSFER;
    out.writeUInt32BE(FILE_TRANSFER_FIXED_BYTES + end - at, pos + 1);
    out.writeUInt16BE(id, pos + HEADER_BYTES);
    out[pos + HEADER_BYTES + 2] = finished && end === data.length ? 1 : 0;
    out.set(data.subarray(at, end), pos + FRAME_OVERHEAD);
    pos += FRAME_OVERHEAD + end - at;
  }
  return out;
}

/** How many bytes `encodeChunks` makes of `dataBytes` bytes of file data. */
export function encodedChunksBytes(dataBytes: number): number {
  return dataBytes + Math.ceil(dataBytes / MAX_CHUNK_BYTES) * FRAME_OVERHEAD;
}
