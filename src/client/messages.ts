import { splitMessage, validateName } from '../protocol/index.js';
import { ClientError } from './errors.js';

// Local checks run before anything is sent, so a bad argument never costs the connection
// (a server answers an invalid name or message with ERR and hangs up).

/** Throws `ClientError('INVALID_ARGUMENT')` unless `name` is a valid user or room name. */
export function checkName(name: string, what: string): void {
  try {
    validateName(name);
  } catch (err) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `Invalid ${what} ${JSON.stringify(name)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Splits `text` into valid messages (one per line, long lines cut); throws
 * `ClientError('INVALID_ARGUMENT')` when it holds a forbidden character or nothing to send.
 */
export function toMessages(text: string): string[] {
  if (typeof text !== 'string') {
    throw new ClientError('INVALID_ARGUMENT', `Message text must be a string, got ${typeof text}`);
  }
  let parts: string[];
  try {
    parts = splitMessage(text);
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `Cannot send this text: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (parts.length === 0) {
    throw new ClientError('INVALID_ARGUMENT', 'Nothing to send: the text is empty or blank');
  }
  return parts;
}
