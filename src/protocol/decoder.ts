import { DEFAULT_MAX_LISTING_BYTES, ErrorCode, HEADER_BYTES, Kind, kindName } from './constants.js';
import { ProtocolError } from './errors.js';
import type { Frame, FrameFor, Side } from './frames.js';
import { LENGTHS, receivedBy } from './limits.js';
import { parsePayload } from './parse.js';

/** Options of `FrameDecoder`. */
export interface FrameDecoderOptions<S extends Side> {
  /** The side this decoder works for: a `'server'` decodes what clients send, and so on. */
  side: S;
  /** Client side: the largest ROOM_LISTING or USER_LISTING payload accepted (default 8 MiB). */
  maxListingBytes?: number;
  /**
   * Gather a frame split across pushes in buffers the decoder reuses, instead of a fresh one
   * each time. The bytes of the frames a `push` returns (FILE_TRANSFER's `data`) are then
   * valid only until the next `push`: for a caller that handles each frame at once and copies
   * what it keeps, as the client does with file chunks.
   */
  reuseBuffers?: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * The header of every frame is checked; tables indexed by kind byte keep that to a few loads.
 * `min` is -1 for a kind the side never accepts; `max` is the largest valid length (listings:
 * `maxListingBytes`); `step` is 64 for listings, else 1. Shared by every decoder of the same
 * side and limit, so a server with many clients holds them once.
 */
interface HeaderTables {
  min: Int32Array;
  max: Float64Array;
  step: Int32Array;
}
const TABLES = new Map<string, HeaderTables>();

function headerTables(side: Side, maxListing: number): HeaderTables {
  const key = `${side}:${maxListing}`;
  const cached = TABLES.get(key);
  if (cached !== undefined) return cached;
  const tables = {
    min: new Int32Array(256).fill(-1),
    max: new Float64Array(256),
    step: new Int32Array(256),
  };
  for (const kind of receivedBy(side)) {
    const range = LENGTHS.get(kind)!;
    tables.min[kind] = range.min;
    tables.max[kind] = range.max === Number.POSITIVE_INFINITY ? maxListing : range.max;
    tables.step[kind] = range.step;
  }
  // A program that makes decoders with ever new limits builds tables each time, unbounded.
  if (TABLES.size < 32) TABLES.set(key, tables);
  return tables;
}
/** Payloads up to this size get one buffer up front; larger ones (listings) grow as they arrive. */
const PREALLOCATE_LIMIT = 64 * 1024;

/**
 * A streaming decoder: feed it bytes as they arrive, get back every frame they complete.
 * It handles any split and any batching, refuses a frame whose header is out of range before
 * buffering any of its payload, and never holds more than one frame's bytes. On a violation
 * it throws a `ProtocolError` (with `wireCode` for the ERR to send) and stays failed.
 *
 * @example
 * const decoder = new FrameDecoder({ side: 'client' })
 * socket.on('data', (chunk) => { for (const frame of decoder.push(chunk)) handle(frame) })
 */
export class FrameDecoder<S extends Side = Side> {
  readonly side: S;
  readonly #accepted: ReadonlySet<number>;
  readonly #maxListing: number;
  readonly #min: Int32Array;
  readonly #max: Float64Array;
  readonly #step: Int32Array;
  // Written before it is read, so a pooled slice will do: a server holds one per client.
  readonly #header = Buffer.allocUnsafe(HEADER_BYTES);
  #headerFill = 0;
  #payload: Buffer | null = null;
  #payloadFill = 0;
  #parts: Buffer[] | null = null;
  #partsNeed = 0;
  #kind = 0;
  /** Frames written to `out` by the `push` or `pushInto` under way. */
  #count = 0;
  #error: ProtocolError | null = null;
  /**
   * With `reuseBuffers`: two buffers taken in turn for split frames. A push completes at most
   * one split frame (at its start) and starts at most one (at its end), so the one it returns
   * is never the one it overwrites.
   */
  readonly #scratch: [Buffer | null, Buffer | null] | null;
  #scratchTurn = 0;

  constructor(options: FrameDecoderOptions<S>) {
    this.side = options.side;
    this.#accepted = receivedBy(options.side);
    this.#maxListing = options.maxListingBytes ?? DEFAULT_MAX_LISTING_BYTES;
    const tables = headerTables(options.side, this.#maxListing);
    this.#min = tables.min;
    this.#max = tables.max;
    this.#step = tables.step;
    this.#scratch = options.reuseBuffers === true ? [null, null] : null;
  }

  /** The error this decoder failed with, if it has. */
  get error(): ProtocolError | null {
    return this.#error;
  }

  /** Bytes held for a frame not yet complete. Never more than `maxBufferedBytes`. */
  get bufferedBytes(): number {
    return this.#headerFill + this.#payloadFill;
  }

  /** The most this decoder can ever hold: the largest valid frame it accepts. */
  get maxBufferedBytes(): number {
    let max = 0;
    for (const kind of this.#accepted) max = Math.max(max, this.#maxLength(kind));
    return HEADER_BYTES + max;
  }

  /**
   * Decodes `chunk` and returns the frames it completes, in order. Throws a `ProtocolError`
   * at the first violation; the frames completed before it in this chunk are on the error's
   * `decoded` property, so a server can act on them before it closes the connection.
   */
  push(chunk: Uint8Array): FrameFor<S>[] {
    const out: FrameFor<S>[] = [];
    this.#decode(chunk, out);
    return out;
  }

  /**
   * Like `push`, but writes the frames into `out` from index 0 and returns how many it wrote
   * (slots past them are left as they were). A caller that decodes every read, as a
   * connection does, keeps one array instead of getting a new one per read. On a violation
   * the error's `decoded` holds a copy of the frames completed before it.
   */
  pushInto(chunk: Uint8Array, out: (FrameFor<S> | undefined)[]): number {
    return this.#decode(chunk, out);
  }

  #decode(chunk: Uint8Array, out: (FrameFor<S> | undefined)[]): number {
    if (this.#error) throw this.#error;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#count = 0;
    try {
      this.#run(buf, out);
    } catch (err) {
      const error =
        err instanceof ProtocolError
          ? err
          : new ProtocolError('DECODER_FAILURE', ErrorCode.UNKNOWN, 'Internal decoder failure', {
              cause: err,
            });
      error.decoded = out.slice(0, this.#count) as FrameFor<S>[];
      this.#error = error;
      this.#payload = null;
      this.#parts = null;
      this.#headerFill = this.#payloadFill = 0;
      throw error;
    }
    return this.#count;
  }

  #run(buf: Buffer, out: (FrameFor<S> | undefined)[]): void {
    const len = buf.length;
    let off = 0;
    while (off < len) {
      if (this.#parts !== null) {
        off = this.#collect(buf, off, out);
        continue;
      }
      if (this.#payload !== null) {
        const payload = this.#payload;
        const take = Math.min(payload.length - this.#payloadFill, len - off);
        buf.copy(payload, this.#payloadFill, off, off + take);
        this.#payloadFill += take;
        off += take;
        if (this.#payloadFill < payload.length) return;
        this.#payload = null;
        this.#payloadFill = 0;
        this.#emit(out, parsePayload(this.#kind, payload, this.side));
        continue;
      }
      let kind: number;
      let length: number;
      if (this.#headerFill === 0 && len - off >= HEADER_BYTES) {
        kind = buf[off]!;
        length = buf.readUInt32BE(off + 1);
        off += HEADER_BYTES;
      } else {
        const take = Math.min(HEADER_BYTES - this.#headerFill, len - off);
        buf.copy(this.#header, this.#headerFill, off, off + take);
        this.#headerFill += take;
        off += take;
        if (this.#headerFill < HEADER_BYTES) return;
        this.#headerFill = 0;
        kind = this.#header[0]!;
        length = this.#header.readUInt32BE(1);
      }
      this.#checkHeader(kind, length);
      if (length === 0) {
        this.#emit(out, parsePayload(kind, EMPTY, this.side));
      } else if (len - off >= length) {
        this.#emit(out, parsePayload(kind, buf.subarray(off, off + length), this.side));
        off += length;
      } else if (length > PREALLOCATE_LIMIT) {
        // A large listing is gathered piece by piece, so memory follows the bytes received
        // rather than what a header claims.
        this.#kind = kind;
        this.#parts = [];
        this.#partsNeed = length;
        off = this.#collect(buf, off, out);
      } else {
        // Only now, with the length known to be valid, is room for the payload allocated.
        this.#kind = kind;
        this.#payload = this.#payloadBuffer(length);
        this.#payloadFill = len - off;
        buf.copy(this.#payload, 0, off, len);
        off = len;
      }
    }
  }

  // A fresh buffer over 4 KiB (a split file chunk is 4,099 bytes) is an allocation of its own
  // outside the pool, and was most of a receiving client's decoding time.
  #payloadBuffer(length: number): Buffer {
    const scratch = this.#scratch;
    if (scratch === null) return Buffer.allocUnsafe(length);
    this.#scratchTurn ^= 1;
    const buffer = (scratch[this.#scratchTurn] ??= Buffer.allocUnsafeSlow(PREALLOCATE_LIMIT));
    return buffer.subarray(0, length);
  }

  #collect(buf: Buffer, off: number, out: (FrameFor<S> | undefined)[]): number {
    const parts = this.#parts!;
    const take = Math.min(this.#partsNeed - this.#payloadFill, buf.length - off);
    parts.push(Buffer.from(buf.subarray(off, off + take)));
    this.#payloadFill += take;
    if (this.#payloadFill === this.#partsNeed) {
      this.#parts = null;
      this.#payloadFill = 0;
      this.#emit(out, parsePayload(this.#kind, Buffer.concat(parts), this.side));
    }
    return off + take;
  }

  // A frame is counted only once parsed: `out[this.#count++] = parse()` would count a frame
  // whose parse threw (the index is evaluated first).
  #emit(out: (FrameFor<S> | undefined)[], frame: Frame): void {
    out[this.#count] = frame as FrameFor<S>;
    this.#count++;
  }

  #maxLength(kind: number): number {
    const range = LENGTHS.get(kind)!;
    return range.max === Number.POSITIVE_INFINITY ? this.#maxListing : range.max;
  }

  #checkHeader(kind: number, length: number): void {
    const min = this.#min[kind]!;
    const step = this.#step[kind]!;
    if (
      min >= 0 &&
      length >= min &&
      length <= this.#max[kind]! &&
      (step === 1 || (length - min) % step === 0)
    ) {
      return;
    }
    this.#refuseHeader(kind, length);
  }

  // The slow path: works out which rule the header broke, and says so.
  #refuseHeader(kind: number, length: number): void {
    const name = kindName(kind);
    if (name === undefined) {
      throw new ProtocolError(
        'UNKNOWN_KIND',
        ErrorCode.ILLEGAL_KIND,
        `Unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`,
      );
    }
    if (!this.#accepted.has(kind)) {
      const sender = this.side === 'server' ? 'a server' : 'a client';
      throw new ProtocolError(
        'UNEXPECTED_KIND',
        ErrorCode.ILLEGAL_KIND,
        `${name} is sent only by ${sender}, never to it`,
      );
    }
    const range = LENGTHS.get(kind)!;
    const max = this.#maxLength(kind);
    if (length < range.min || length > max || (length - range.min) % range.step !== 0) {
      const listing = kind === Kind.ROOM_LISTING || kind === Kind.USER_LISTING;
      const want = listing
        ? `64 + 64n bytes, at most ${max} (raise maxListingBytes for larger listings)`
        : range.min === max
          ? `${max} bytes`
          : `${range.min} to ${max} bytes`;
      throw new ProtocolError(
        'ILLEGAL_LENGTH',
        ErrorCode.ILLEGAL_LENGTH,
        `${name} with a ${length}-byte payload; it must be ${want}`,
      );
    }
  }
}
