/**
 * The load generator's own codec: frames are built once, up front, as raw bytes, and replies
 * are read by a header scanner that looks only at the few bytes a scenario needs. It shares
 * no code with relaykit's codec, so the load can be pointed at any server that speaks the
 * protocol, and so the generator stays far cheaper than the server it measures.
 */

/** Frame kinds the load generator sends or looks at (CLARIFICATIONS §1). */
export const K = {
  ERR: 0x01,
  NEW_CLIENT: 0x02,
  HEARTBEAT: 0x03,
  ENTER_ROOM: 0x04,
  USER_LISTING: 0x08,
  QUERY_USER: 0x09,
  SEND_MESSAGE: 0x0a,
  POST_MESSAGE: 0x0c,
  OFFER_FILE: 0x0e,
  ACCEPT_FILE: 0x0f,
  REJECT_FILE: 0x10,
  FILE_TRANSFER: 0x11,
} as const;

const HEADER = 5;
const NAME = 64;

function header(buf: Buffer, at: number, kind: number, length: number): void {
  buf[at] = kind;
  buf.writeUInt32BE(length, at + 1);
}

function nameField(buf: Buffer, at: number, name: string): void {
  buf.fill(0, at, at + NAME);
  buf.write(name, at, 'latin1');
}

/** A frame whose payload is one name field (NEW_CLIENT, ENTER_ROOM). */
export function nameFrame(kind: number, name: string): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + NAME);
  header(buf, 0, kind, NAME);
  nameField(buf, HEADER, name);
  return buf;
}

/** QUERY_USER asking whether `name` is online (status 2 by convention). */
export function queryFrame(name: string): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + NAME + 1);
  header(buf, 0, K.QUERY_USER, NAME + 1);
  nameField(buf, HEADER, name);
  buf[HEADER + NAME] = 2;
  return buf;
}

/** A HEARTBEAT (shared: it never changes). */
export const HEARTBEAT = Buffer.from([K.HEARTBEAT, 0, 0, 0, 0]);

/** Size on the wire of a SEND_MESSAGE carrying `textBytes` of text. */
export function sendFrameBytes(textBytes: number): number {
  return HEADER + NAME + textBytes + 1;
}

/** Size on the wire of a POST_MESSAGE carrying `textBytes` of text. */
export function postFrameBytes(textBytes: number): number {
  return HEADER + 2 * NAME + textBytes + 1;
}

/** Where the text of a POST_MESSAGE starts, counted from the start of its payload. */
export const POST_TEXT_OFFSET = 2 * NAME;

/**
 * Writes a SEND_MESSAGE (or, with `from`, a POST_MESSAGE as a server would deliver it) at
 * `at`. The text is `tag` followed by `x` padding up to `textBytes`; the tag is where a
 * scenario hides its sequence numbers.
 */
export function writeMessage(
  buf: Buffer,
  at: number,
  room: string,
  tag: string,
  textBytes: number,
  from?: string,
): number {
  const names = from === undefined ? 1 : 2;
  const length = names * NAME + textBytes + 1;
  header(buf, at, from === undefined ? K.SEND_MESSAGE : K.POST_MESSAGE, length);
  nameField(buf, at + HEADER, room);
  if (from !== undefined) nameField(buf, at + HEADER + NAME, from);
  const text = at + HEADER + names * NAME;
  buf.fill(0x78, text, text + textBytes);
  buf.write(tag, text, 'latin1');
  buf[text + textBytes] = 0;
  return HEADER + length;
}

/** Fields of an OFFER/ACCEPT/REJECT_FILE. */
export interface Negotiation {
  target: string;
  source: string;
  id: number;
  size: number;
  fileName: string;
}

/** Encodes an OFFER_FILE, ACCEPT_FILE or REJECT_FILE. */
export function negotiationFrame(kind: number, n: Negotiation): Buffer {
  const file = Buffer.from(n.fileName, 'utf8');
  const length = 2 * NAME + 6 + file.length;
  const buf = Buffer.allocUnsafe(HEADER + length);
  header(buf, 0, kind, length);
  nameField(buf, HEADER, n.target);
  nameField(buf, HEADER + NAME, n.source);
  buf.writeUInt16BE(n.id, HEADER + 2 * NAME);
  buf.writeUInt32BE(n.size, HEADER + 2 * NAME + 2);
  file.copy(buf, HEADER + 2 * NAME + 6);
  return buf;
}

/** Reads the fields of a received OFFER/ACCEPT/REJECT_FILE payload. */
export function readNegotiation(buf: Buffer, at: number, length: number): Negotiation {
  const name = (from: number): string => {
    let end = from;
    while (end < from + NAME && buf[end] !== 0) end++;
    return buf.toString('latin1', from, end);
  };
  let end = at + length;
  if (buf[end - 1] === 0) end--;
  return {
    target: name(at),
    source: name(at + NAME),
    id: buf.readUInt16BE(at + 2 * NAME),
    size: buf.readUInt32BE(at + 2 * NAME + 2),
    fileName: buf.toString('utf8', at + 2 * NAME + 6, end),
  };
}

/** Encodes one FILE_TRANSFER chunk around `data` (1–4096 bytes). */
export function chunkFrame(id: number, data: Uint8Array, finished: boolean): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + 3 + data.length);
  header(buf, 0, K.FILE_TRANSFER, 3 + data.length);
  buf.writeUInt16BE(id, HEADER);
  buf[HEADER + 2] = finished ? 1 : 0;
  buf.set(data, HEADER + 3);
  return buf;
}

/** Reads `digits` ASCII decimal digits at `at` (no checks: the tags are our own). */
export function readDigits(buf: Buffer, at: number, digits: number): number {
  let n = 0;
  for (let i = at; i < at + digits; i++) n = n * 10 + buf[i]! - 48;
  return n;
}

/** Formats `n` as exactly `digits` decimal digits. */
export function digits(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Called for each whole frame: its kind, and where its payload lies in `buf`. */
export type FrameSink = (kind: number, buf: Buffer, payload: number, length: number) => void;

/** Says whether the scanner should hand over a frame of this kind and length, or skip it. */
export type FrameFilter = (kind: number, length: number) => boolean;

/**
 * Splits a byte stream into frames without decoding them. A frame that arrives whole is
 * handed over in place; only a frame split across chunks is copied, once, into a buffer of
 * its own size. Frames the optional `wants` filter turns down are skipped unread and never
 * copied (a big room's listings run to hundreds of KB each). The stream is trusted to be
 * well-formed.
 */
export class FrameScanner {
  readonly #sink: FrameSink;
  readonly #wants: FrameFilter | undefined;
  readonly #header = Buffer.allocUnsafe(HEADER);
  #headerFill = 0;
  #frame: Buffer | null = null;
  #frameFill = 0;
  /** Bytes of a skipped frame still to come. */
  #skip = 0;
  /** Frames scanned so far. */
  frames = 0;

  constructor(sink: FrameSink, wants?: FrameFilter) {
    this.#sink = sink;
    this.#wants = wants;
  }

  push(chunk: Buffer): void {
    let off = 0;
    const len = chunk.length;
    if (this.#skip > 0) {
      off = Math.min(this.#skip, len);
      this.#skip -= off;
      if (this.#skip > 0) return;
    } else if (this.#headerFill > 0 || this.#frame !== null) {
      off = this.#resume(chunk);
      if (off < 0) return;
    }
    while (len - off >= HEADER) {
      const length = chunk.readUInt32BE(off + 1);
      if (this.#wants !== undefined && !this.#wants(chunk[off]!, length)) {
        this.frames++;
        off += HEADER;
        const take = Math.min(length, len - off);
        off += take;
        if (take < length) {
          this.#skip = length - take;
          return;
        }
        continue;
      }
      if (len - off - HEADER < length) break;
      this.frames++;
      this.#sink(chunk[off]!, chunk, off + HEADER, length);
      off += HEADER + length;
    }
    if (off < len) this.#keep(chunk, off);
  }

  // Continues a frame split over chunks; returns where whole frames start in `chunk`, or -1.
  #resume(chunk: Buffer): number {
    let off = 0;
    if (this.#frame === null) {
      const take = Math.min(HEADER - this.#headerFill, chunk.length);
      chunk.copy(this.#header, this.#headerFill, 0, take);
      this.#headerFill += take;
      off = take;
      if (this.#headerFill < HEADER) return -1;
      this.#headerFill = 0;
      const length = this.#header.readUInt32BE(1);
      if (this.#wants !== undefined && !this.#wants(this.#header[0]!, length)) {
        this.frames++;
        const skip = Math.min(length, chunk.length - off);
        this.#skip = length - skip;
        return this.#skip > 0 ? -1 : off + skip;
      }
      this.#frame = Buffer.allocUnsafe(HEADER + length);
      this.#header.copy(this.#frame, 0);
      this.#frameFill = HEADER;
    }
    const frame = this.#frame;
    const take = Math.min(frame.length - this.#frameFill, chunk.length - off);
    chunk.copy(frame, this.#frameFill, off, off + take);
    this.#frameFill += take;
    off += take;
    if (this.#frameFill < frame.length) return -1;
    this.#frame = null;
    this.frames++;
    this.#sink(frame[0]!, frame, HEADER, frame.length - HEADER);
    return off;
  }

  #keep(chunk: Buffer, off: number): void {
    const rest = chunk.length - off;
    if (rest < HEADER) {
      chunk.copy(this.#header, 0, off);
      this.#headerFill = rest;
      return;
    }
    this.#frame = Buffer.allocUnsafe(HEADER + chunk.readUInt32BE(off + 1));
    chunk.copy(this.#frame, 0, off);
    this.#frameFill = rest;
  }
}
