import {
  HEADER_BYTES,
  Kind,
  MAX_FILE_SIZE,
  MAX_MESSAGE_BYTES,
  NAME_FIELD_BYTES,
} from './constants.js';
import { ProtocolError } from './errors.js';
import type { FileNegotiation, Frame } from './frames.js';
import { ErrorCode } from './constants.js';
import { LENGTHS } from './limits.js';
import { checkFileNameBytes, checkMessageBytes, checkNameBytes, validateFarewell } from './text.js';

/** Options of `encode`. */
export interface EncodeOptions {
  /**
   * Skip the text rules, for frames built from fields that a decoder already validated
   * (the server's hot path). Structural limits are still enforced.
   */
  trusted?: boolean;
}

const NUL = 0;

// Frames are assembled into one buffer so that a single socket write carries each.
class Writer {
  readonly buf: Buffer;
  pos = HEADER_BYTES;
  constructor(kind: number, length: number) {
    this.buf = Buffer.allocUnsafe(HEADER_BYTES + length);
    this.buf[0] = kind;
    this.buf.writeUInt32BE(length, 1);
  }
  name(bytes: Buffer): void {
    bytes.copy(this.buf, this.pos);
    this.buf.fill(NUL, this.pos + bytes.length, this.pos + NAME_FIELD_BYTES);
    this.pos += NAME_FIELD_BYTES;
  }
  bytes(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  text(bytes: Buffer): void {
    this.bytes(bytes);
    this.buf[this.pos++] = NUL;
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }
}

function utf8(value: string): Buffer {
  if (typeof value !== 'string' || !value.isWellFormed()) {
    throw new ProtocolError(
      'INVALID_UTF8',
      ErrorCode.UNKNOWN,
      'Cannot encode: expected a well-formed string',
    );
  }
  return Buffer.from(value, 'utf8');
}

function nameBytes(value: string, trusted: boolean): Buffer {
  const b = utf8(value);
  if (trusted) {
    if (b.length > NAME_FIELD_BYTES) checkNameBytes(b);
  } else {
    checkNameBytes(b);
  }
  return b;
}

function textBytes(value: string, trusted: boolean): Buffer {
  const b = utf8(value);
  // Trusted text skips the character rules, yet must still fit the kind's length range.
  if (!trusted || b.length === 0 || b.length >= MAX_MESSAGE_BYTES) checkMessageBytes(b);
  return b;
}

function checkInteger(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ProtocolError(
      'ILLEGAL_FIELD',
      ErrorCode.UNKNOWN,
      `Cannot encode: ${what} must be an integer from 0 to ${max}, got ${value}`,
    );
  }
}

function negotiation(kind: number, f: FileNegotiation, trusted: boolean): Buffer {
  const target = nameBytes(f.target, trusted);
  const source = nameBytes(f.source, trusted);
  checkInteger(f.id, 0xffff, 'a transfer id');
  checkInteger(f.size, MAX_FILE_SIZE, 'a file size');
  const file = utf8(f.fileName);
  checkFileNameBytes(file);
  const w = new Writer(kind, 2 * NAME_FIELD_BYTES + 6 + file.length);
  w.name(target);
  w.name(source);
  w.u16(f.id);
  w.u32(f.size);
  w.bytes(file);
  return w.buf;
}

/**
 * Writes `value` as a NUL-padded name field at `at`; false (nothing to rely on written) if
 * its UTF-8 is longer than the field. Only strings of more than 21 UTF-16 units can be.
 */
function writeNameField(buf: Buffer, at: number, value: string): boolean {
  if (value.length > NAME_FIELD_BYTES / 3 && Buffer.byteLength(value, 'utf8') > NAME_FIELD_BYTES) {
    return false;
  }
  const end = at + buf.write(value, at, NAME_FIELD_BYTES, 'utf8');
  for (let i = end; i < at + NAME_FIELD_BYTES; i++) buf[i] = NUL;
  return true;
}

/**
 * A trusted POST written straight from its strings: one allocation, where the general path
 * makes a Buffer per field and copies each (the server encodes one POST per message
 * relayed, and its garbage is what the young-generation GC pauses for). Null when a field
 * is out of range, so that the general path throws the usual error.
 */
function trustedPost(room: string, from: string, text: string): Buffer | null {
  if (!room.isWellFormed() || !from.isWellFormed() || !text.isWellFormed()) return null;
  const textLength = Buffer.byteLength(text, 'utf8');
  if (textLength === 0 || textLength >= MAX_MESSAGE_BYTES) return null;
  const length = 2 * NAME_FIELD_BYTES + textLength + 1;
  const buf = Buffer.allocUnsafe(HEADER_BYTES + length);
  buf[0] = Kind.POST_MESSAGE;
  buf.writeUInt32BE(length, 1);
  if (!writeNameField(buf, HEADER_BYTES, room)) return null;
  if (!writeNameField(buf, HEADER_BYTES + NAME_FIELD_BYTES, from)) return null;
  const at = HEADER_BYTES + 2 * NAME_FIELD_BYTES;
  buf.write(text, at, textLength, 'utf8');
  buf[at + textLength] = NUL;
  return buf;
}

/**
 * Serialises a frame into one Buffer (header and payload) ready for a single socket write.
 * Pure: no I/O. Throws a `ProtocolError` if a field breaks the protocol's rules.
 *
 * @example
 * encode(frames.heartbeat())            // <Buffer 03 00 00 00 00>
 * encode(frames.broadcast('Hello', 'text')) // <Buffer 0b 00 00 00 06 48 65 6c 6c 6f 00>
 */
export function encode(frame: Frame, options: EncodeOptions = {}): Buffer {
  const trusted = options.trusted === true;
  switch (frame.kind) {
    case Kind.ERR: {
      checkInteger(frame.code, 0xff, 'an error code');
      const w = new Writer(Kind.ERR, 1);
      w.u8(frame.code);
      return w.buf;
    }
    case Kind.HEARTBEAT:
    case Kind.LIST_ROOMS:
      return new Writer(frame.kind, 0).buf;
    case Kind.NEW_CLIENT: {
      const w = new Writer(frame.kind, NAME_FIELD_BYTES);
      w.name(nameBytes(frame.name, trusted));
      return w.buf;
    }
    case Kind.ENTER_ROOM:
    case Kind.LEAVE_ROOM: {
      const w = new Writer(frame.kind, NAME_FIELD_BYTES);
      w.name(nameBytes(frame.room, trusted));
      return w.buf;
    }
    case Kind.ROOM_LISTING:
    case Kind.USER_LISTING: {
      const names = frame.kind === Kind.ROOM_LISTING ? frame.rooms : frame.users;
      const w = new Writer(frame.kind, NAME_FIELD_BYTES * (names.length + 1));
      if (frame.kind === Kind.USER_LISTING) w.name(nameBytes(frame.room, trusted));
      else w.name(Buffer.alloc(0));
      for (const n of names) w.name(nameBytes(n, trusted));
      return w.buf;
    }
    case Kind.QUERY_USER: {
      checkInteger(frame.status, 0xff, 'a status');
      const w = new Writer(frame.kind, NAME_FIELD_BYTES + 1);
      w.name(nameBytes(frame.name, trusted));
      w.u8(frame.status);
      return w.buf;
    }
    case Kind.SEND_MESSAGE: {
      const room = nameBytes(frame.room, trusted);
      const text = textBytes(frame.text, trusted);
      const w = new Writer(frame.kind, NAME_FIELD_BYTES + text.length + 1);
      w.name(room);
      w.text(text);
      return w.buf;
    }
    case Kind.BROADCAST_MESSAGE: {
      const text = textBytes(frame.text, trusted);
      const draft = frame.layout !== 'text';
      const w = new Writer(frame.kind, (draft ? NAME_FIELD_BYTES : 0) + text.length + 1);
      if (draft) w.name(Buffer.alloc(0));
      w.text(text);
      return w.buf;
    }
    case Kind.POST_MESSAGE: {
      if (trusted) {
        const fast = trustedPost(frame.room, frame.from, frame.text);
        if (fast !== null) return fast;
      }
      const room = nameBytes(frame.room, trusted);
      const from = nameBytes(frame.from, trusted);
      const text = textBytes(frame.text, trusted);
      const w = new Writer(frame.kind, 2 * NAME_FIELD_BYTES + text.length + 1);
      w.name(room);
      w.name(from);
      w.text(text);
      return w.buf;
    }
    case Kind.DIRECT_MESSAGE: {
      const peer = nameBytes('to' in frame ? frame.to : frame.from, trusted);
      const text = textBytes(frame.text, trusted);
      const w = new Writer(frame.kind, NAME_FIELD_BYTES + text.length + 1);
      w.name(peer);
      w.text(text);
      return w.buf;
    }
    case Kind.OFFER_FILE:
    case Kind.ACCEPT_FILE:
    case Kind.REJECT_FILE:
      return negotiation(frame.kind, frame, trusted);
    case Kind.FILE_TRANSFER: {
      checkInteger(frame.id, 0xffff, 'a transfer id');
      const range = LENGTHS.get(Kind.FILE_TRANSFER)!;
      const length = 3 + frame.data.length;
      if (length < range.min || length > range.max) {
        throw new ProtocolError(
          'ILLEGAL_CHUNK_SIZE',
          ErrorCode.ILLEGAL_LENGTH,
          `Cannot encode: a chunk carries 1 to 4096 bytes, got ${frame.data.length}`,
        );
      }
      const w = new Writer(frame.kind, length);
      w.u16(frame.id);
      w.u8(frame.finished ? 1 : 0);
      w.bytes(frame.data);
      return w.buf;
    }
    case Kind.CLIENT_DEPARTS:
    case Kind.SERVER_DEPARTS: {
      if (!trusted) validateFarewell(frame.farewell);
      const text = utf8(frame.farewell);
      if (trusted && text.length >= MAX_MESSAGE_BYTES) checkMessageBytes(text, 0, undefined, true);
      const w = new Writer(frame.kind, text.length + 1);
      w.text(text);
      return w.buf;
    }
    default: {
      const kind = (frame as { kind: unknown }).kind;
      throw new ProtocolError(
        'ILLEGAL_KIND',
        ErrorCode.ILLEGAL_KIND,
        `Cannot encode: unknown frame kind ${String(kind)}`,
      );
    }
  }
}
