import { expect } from 'vitest';
import {
  type Frame,
  FrameDecoder,
  type FrameFor,
  ProtocolError,
  type Side,
} from '../../../src/protocol/index.js';

// Byte builders are written independently of the codec (plain Buffer calls), so a fixture
// built with them says what the wire holds, not what the encoder happens to produce.

/** Bytes from hex written with any spacing, e.g. `hex('0B 00000006 48656C6C6F00')`. */
export function hex(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${text}`);
  return Buffer.from(clean, 'hex');
}

/** Upper-case hex of bytes, for readable diffs. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('hex')
    .toUpperCase();
}

/** UTF-8 bytes of a string, as hex. */
export function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** A 64-byte name field holding `name` then NULs, as hex. */
export function fieldHex(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 64) throw new Error(`fieldHex: ${name} is over 64 bytes`);
  return bytes.toString('hex') + '00'.repeat(64 - bytes.length);
}

/** A 64-byte field from raw bytes: padded with NULs, or returned as is when 64 bytes or more. */
export function field(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.max(64, bytes.length));
  out.set(bytes);
  return out;
}

/** A whole frame: kind byte, big-endian u32 length, payload. */
export function frameBytes(kind: number, ...parts: Uint8Array[]): Buffer {
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** A bare 5-byte header claiming `length` payload bytes. */
export function header(kind: number, length: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = kind;
  out.writeUInt32BE(length, 1);
  return out;
}

/** Big-endian unsigned integer of `width` bytes. */
export function uint(value: number, width: 1 | 2 | 4): Buffer {
  const out = Buffer.alloc(width);
  out.writeUIntBE(value, 0, width);
  return out;
}

/** UTF-8 bytes of `text` followed by a NUL. */
export function cstr(text: string | Uint8Array): Buffer {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return Buffer.concat([bytes, Buffer.alloc(1)]);
}

/** Runs `fn` and returns the ProtocolError it throws; fails the test if it throws nothing. */
export function catchProtocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError, but nothing was thrown');
}

/** Expects `fn` to throw a ProtocolError with this `code` and `wireCode`; returns it. */
export function expectProtocolError(
  fn: () => unknown,
  code: string,
  wireCode: number,
): ProtocolError {
  const err = catchProtocolError(fn);
  expect({ code: err.code, wireCode: err.wireCode }).toEqual({ code, wireCode });
  return err;
}

/** Pushes `pieces` one after another into a fresh decoder and returns every frame. */
export function decodePieces<S extends Side>(
  side: S,
  pieces: readonly Uint8Array[],
  options: { maxListingBytes?: number } = {},
): FrameFor<S>[] {
  const decoder = new FrameDecoder({ side, ...options });
  const out: FrameFor<S>[] = [];
  for (const piece of pieces) {
    out.push(...decoder.push(piece));
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(decoder.maxBufferedBytes);
  }
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

/** Cuts `bytes` at the given offsets (any order, duplicates and out-of-range ones dropped). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(start, p));
    start = p;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/**
 * A frame with any `data` copied into a plain Buffer, so frames compare by content whether
 * the bytes came from a Uint8Array, a pooled Buffer or a slice of a larger chunk.
 */
export function comparable(frame: Frame): Frame {
  if ('data' in frame) return { ...frame, data: Buffer.from(frame.data) };
  return frame;
}

/** The receiving sides of a kind, as the spec table (CLARIFICATIONS §2) lists its senders. */
export const SENT_BY: Readonly<Record<number, 'C' | 'S' | 'CS'>> = {
  1: 'CS',
  2: 'C',
  3: 'CS',
  4: 'C',
  5: 'C',
  6: 'C',
  7: 'S',
  8: 'S',
  9: 'CS',
  10: 'C',
  11: 'C',
  12: 'S',
  13: 'CS',
  14: 'CS',
  15: 'CS',
  16: 'CS',
  17: 'CS',
  18: 'C',
  19: 'S',
};

/** Whether a decoder working for `side` receives `kind`, according to SENT_BY. */
export function receives(side: Side, kind: number): boolean {
  const by = SENT_BY[kind];
  if (by === undefined) return false;
  return side === 'server' ? by.includes('C') : by.includes('S');
}
