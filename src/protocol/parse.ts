import { ErrorCode, Kind, NAME_FIELD_BYTES } from './constants.js';
import { ProtocolError } from './errors.js';
import type { FileNegotiation, Frame, Side } from './frames.js';
import { checkFileNameBytes, checkMessageBytes, checkNameBytes } from './text.js';

// Payload parsers. Each receives a payload whose length the decoder has already checked
// against the kind's range, so fixed offsets are always in bounds.

/** Reads a 64-byte name field at `at`: up to the first NUL, the rest ignored (§3). */
export function readName(buf: Buffer, at: number): string {
  let end = at;
  const limit = at + NAME_FIELD_BYTES;
  while (end < limit && buf[end] !== 0) end++;
  checkNameBytes(buf, at, end);
  return buf.toString('utf8', at, end);
}

/** Reads NUL-terminated message text occupying `buf[at, buf.length)`. */
export function readText(buf: Buffer, at: number, allowEmpty = false): string {
  const end = buf.length - 1;
  if (buf[end] !== 0) {
    throw new ProtocolError(
      'MESSAGE_NOT_TERMINATED',
      ErrorCode.ILLEGAL_MESSAGE,
      'Invalid message: it must end with a NUL byte',
    );
  }
  checkMessageBytes(buf, at, end, allowEmpty);
  return buf.toString('utf8', at, end);
}

function readNames(buf: Buffer, from: number): string[] {
  const names: string[] = [];
  for (let at = from; at < buf.length; at += NAME_FIELD_BYTES) names.push(readName(buf, at));
  return names;
}

function readNegotiation(buf: Buffer): FileNegotiation {
  const target = readName(buf, 0);
  const source = readName(buf, NAME_FIELD_BYTES);
  const id = buf.readUInt16BE(2 * NAME_FIELD_BYTES);
  const size = buf.readUInt32BE(2 * NAME_FIELD_BYTES + 2);
  const start = 2 * NAME_FIELD_BYTES + 6;
  // A single trailing NUL is tolerated on receipt (CLARIFICATIONS §3).
  const end = buf[buf.length - 1] === 0 ? buf.length - 1 : buf.length;
  checkFileNameBytes(buf, start, end);
  return { target, source, id, size, fileName: buf.toString('utf8', start, end) };
}

function readBroadcast(buf: Buffer): Frame {
  const firstNul = buf.indexOf(0);
  // CLARIFICATIONS §5.3: if the first NUL is the last byte, the payload is text alone.
  if (firstNul === buf.length - 1) {
    return { kind: Kind.BROADCAST_MESSAGE, text: readText(buf, 0), layout: 'text' };
  }
  if (buf.length < NAME_FIELD_BYTES + 2) {
    throw new ProtocolError(
      'MESSAGE_EMBEDDED_NUL',
      ErrorCode.ILLEGAL_MESSAGE,
      'Invalid message: a broadcast without a target field must have a single NUL, at its end',
    );
  }
  return { kind: Kind.BROADCAST_MESSAGE, text: readText(buf, NAME_FIELD_BYTES), layout: 'draft' };
}

/**
 * Parses one payload of `kind` as received by `side`. Used by `FrameDecoder`; exposed for
 * tools that frame bytes themselves.
 */
export function parsePayload(kind: number, buf: Buffer, side: Side): Frame {
  switch (kind) {
    case Kind.ERR:
      return { kind, code: buf[0]! };
    case Kind.NEW_CLIENT:
      return { kind, name: readName(buf, 0) };
    case Kind.HEARTBEAT:
    case Kind.LIST_ROOMS:
      return { kind };
    case Kind.ENTER_ROOM:
    case Kind.LEAVE_ROOM:
      return { kind, room: readName(buf, 0) };
    case Kind.ROOM_LISTING:
      // The identifier of a room listing carries nothing; whatever is there is ignored.
      return { kind, rooms: readNames(buf, NAME_FIELD_BYTES) };
    case Kind.USER_LISTING:
      return { kind, room: readName(buf, 0), users: readNames(buf, NAME_FIELD_BYTES) };
    case Kind.QUERY_USER:
      return { kind, name: readName(buf, 0), status: buf[NAME_FIELD_BYTES]! };
    case Kind.SEND_MESSAGE:
      return { kind, room: readName(buf, 0), text: readText(buf, NAME_FIELD_BYTES) };
    case Kind.BROADCAST_MESSAGE:
      return readBroadcast(buf);
    case Kind.POST_MESSAGE:
      return {
        kind,
        room: readName(buf, 0),
        from: readName(buf, NAME_FIELD_BYTES),
        text: readText(buf, 2 * NAME_FIELD_BYTES),
      };
    case Kind.DIRECT_MESSAGE: {
      const peer = readName(buf, 0);
      const text = readText(buf, NAME_FIELD_BYTES);
      return side === 'server' ? { kind, to: peer, text } : { kind, from: peer, text };
    }
    case Kind.OFFER_FILE:
    case Kind.ACCEPT_FILE:
    case Kind.REJECT_FILE:
      return { kind, ...readNegotiation(buf) };
    case Kind.FILE_TRANSFER: {
      const finished = buf[2]!;
      if (finished > 1) {
        throw new ProtocolError(
          'ILLEGAL_FINISHED_FLAG',
          ErrorCode.ILLEGAL_TRANSFER,
          `Invalid file chunk: the finished flag must be 0 or 1, got ${finished}`,
        );
      }
      return { kind, id: buf.readUInt16BE(0), finished: finished === 1, data: buf.subarray(3) };
    }
    case Kind.CLIENT_DEPARTS:
    case Kind.SERVER_DEPARTS:
      return { kind, farewell: buf.length === 0 ? '' : readText(buf, 0, true) };
    default:
      throw new ProtocolError(
        'ILLEGAL_KIND',
        ErrorCode.ILLEGAL_KIND,
        `Unknown frame kind 0x${kind.toString(16)}`,
      );
  }
}
