import { RelayKitError } from '../errors.js';

/**
 * A failure of the server itself (bad options, listen failures, misuse of its lifecycle), as
 * opposed to a client breaking the protocol, which only ever closes that client.
 *
 * @example
 * try { await server.listen(17734) } catch (err) {
 *   if (err instanceof ServerError && err.code === 'ADDRESS_IN_USE') useAnotherPort()
 * }
 */
export class ServerError extends RelayKitError {}

/** Throws `INVALID_SERVER_OPTION` unless `value` is an integer within `[min, max]`. */
export function checkIntegerOption(
  name: string,
  value: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ServerError(
      'INVALID_SERVER_OPTION',
      `Server option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}

/** Turns a `listen` failure into a `ServerError` that says what to do. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): ServerError {
  if (err.code === 'EADDRINUSE') {
    return new ServerError(
      'ADDRESS_IN_USE',
      `Port ${port} on ${host} is already in use; stop the other server or pick another port (--port)`,
      { cause: err },
    );
  }
  if (err.code === 'EACCES') {
    return new ServerError(
      'ADDRESS_FORBIDDEN',
      `Not allowed to listen on ${host}:${port}; use a port above 1023`,
      { cause: err },
    );
  }
  return new ServerError('LISTEN_FAILED', `Cannot listen on ${host}:${port}: ${err.message}`, {
    cause: err,
  });
}
