import { RelayKitError } from '../errors.js';

/**
 * A listener or dialer could not be set up: `TLS_BAD_CREDENTIALS` (a certificate, key or CA
 * that does not parse or does not match) or `INVALID_TLS_OPTION`.
 *
 * @example
 * try { server.reloadTls({ cert, key }) } catch (err) {
 *   if (err instanceof TransportError) log.error(err.message) // the old certificate stays
 * }
 */
export class TransportError extends RelayKitError {}
