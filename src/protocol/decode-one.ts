import { ErrorCode } from './constants.js';
import { FrameDecoder } from './decoder.js';
import { ProtocolError } from './errors.js';
import type { FrameFor, Side } from './frames.js';

/**
 * Decodes exactly one whole frame from `bytes` (handy in tests and tools). Throws a
 * `ProtocolError` if the bytes are not exactly one valid frame.
 *
 * @example
 * decode(Buffer.from('0300000000', 'hex'), 'server') // { kind: 3 }
 */
export function decode<S extends Side>(bytes: Uint8Array, side: S): FrameFor<S> {
  const decoder = new FrameDecoder({ side });
  const out = decoder.push(bytes);
  if (out.length !== 1 || decoder.bufferedBytes !== 0) {
    throw new ProtocolError(
      'NOT_ONE_FRAME',
      ErrorCode.ILLEGAL_LENGTH,
      `Expected exactly one whole frame, got ${out.length} and ${decoder.bufferedBytes} bytes left over`,
    );
  }
  return out[0]!;
}
