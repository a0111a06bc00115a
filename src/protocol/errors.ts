import { RelayKitError } from '../errors.js';
import { type ErrorCode, errorCodeName } from './constants.js';
import type { Frame } from './frames.js';

/**
 * A frame or a piece of text broke a protocol rule. `code` names the rule (for example
 * `NAME_TOO_LONG`), and `wireCode` is the ERR code the peer must be sent before closing.
 *
 * @example
 * try { decoder.push(chunk) } catch (err) {
 *   if (err instanceof ProtocolError) socket.end(encode(frames.error(err.wireCode)))
 * }
 */
export class ProtocolError extends RelayKitError {
  declare readonly wireCode: ErrorCode;
  /** From `FrameDecoder.push`: the frames completed in that chunk before this error. */
  decoded: readonly Frame[] = [];

  constructor(
    code: string,
    wireCode: ErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, `${message} [${code}, wire ${errorCodeName(wireCode)}]`, { ...options, wireCode });
  }
}
