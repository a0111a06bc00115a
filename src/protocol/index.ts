/**
 * The wire codec: constants, text rules, typed frames, `encode` and the streaming
 * `FrameDecoder`. It does no I/O and imports nothing from the client or server.
 *
 * @example
 * import { FrameDecoder, encode, frames } from 'relaykit/protocol'
 */
export { sanitizeLine, sanitizeText, stripAnsi } from './clean.js';
export * from './constants.js';
export { decode } from './decode-one.js';
export { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
export { type EncodeOptions, encode } from './encode.js';
export { encodeChunks, encodedChunksBytes } from './encode-chunks.js';
export { ProtocolError } from './errors.js';
export * from './frames.js';
export { CLIENT_SENDS, LENGTHS, type LengthRange, receivedBy, SERVER_SENDS } from './limits.js';
export { parsePayload, readName, readText } from './parse.js';
export { MAX_TEXT_BYTES, splitMessage } from './split.js';
export {
  checkFileNameBytes,
  checkMessageBytes,
  checkNameBytes,
  isValidName,
  validateFarewell,
  validateFileName,
  validateMessage,
  validateName,
} from './text.js';
