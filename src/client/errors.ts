import { RelayKitError } from '../errors.js';

/**
 * Codes of `ClientError`: a command could not run, or the connection went away under it.
 * `NOT_CONNECTED` (sent while disconnected with `whileDisconnected: 'reject'`),
 * `DISCONNECTED` (the connection dropped before the answer came), `CLOSED` (the client was
 * closed), `TIMEOUT`, `ABORTED`, `INVALID_ARGUMENT` (a name or text broke the protocol rules;
 * nothing was sent), `SERVER_ERROR` (the server sent ERR), `PROTOCOL_ERROR` (the server sent
 * bytes that break the protocol), `HANDLER_FAILED` (one of your handlers threw),
 * `RECONNECT_FAILED`, `INVALID_FILTER` (an `onPost`/`onDirect`/`onOffer` filter or handler
 * was refused at registration; the message lists what is allowed).
 */
export type ClientErrorCode =
  | 'NOT_CONNECTED'
  | 'DISCONNECTED'
  | 'CLOSED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_ARGUMENT'
  | 'SERVER_ERROR'
  | 'PROTOCOL_ERROR'
  | 'HANDLER_FAILED'
  | 'RECONNECT_FAILED'
  | 'INVALID_FILTER'
  | 'OVERFLOW';

/**
 * A client command failed, or the connection broke. `code` says which way.
 *
 * @example
 * try { await client.say('ops', text) } catch (err) {
 *   if (err instanceof ClientError && err.code === 'INVALID_ARGUMENT') console.error(err.message)
 * }
 */
export class ClientError extends RelayKitError {
  declare readonly code: ClientErrorCode;
  constructor(
    code: ClientErrorCode,
    message: string,
    options: { wireCode?: number; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * Codes of `ConnectError`. `NAME_IN_USE`, `CONNECTION_REFUSED` and `TIMEOUT` are the common
 * ones; `TOO_MANY_USERS` and `SERVER_ERROR` come from an ERR during registration,
 * `CONNECTION_CLOSED` from a server that hung up without a word, `NETWORK` from any other
 * socket failure (unknown host, reset), `INVALID_OPTIONS` from options refused before dialling.
 * With TLS: `TLS_UNTRUSTED` (the server's certificate is not signed by a CA you trust, or
 * expired: pass its CA), `TLS_HOSTNAME` (the certificate is for another name),
 * `TLS_HANDSHAKE` (a plaintext server, no common TLS version, or a client certificate the
 * server wants and did not get).
 */
export type ConnectErrorCode =
  | 'NAME_IN_USE'
  | 'CONNECTION_REFUSED'
  | 'TIMEOUT'
  | 'TOO_MANY_USERS'
  | 'ILLEGAL_NAME'
  | 'SERVER_ERROR'
  | 'SERVER_DEPARTED'
  | 'CONNECTION_CLOSED'
  | 'NETWORK'
  | 'ABORTED'
  | 'INVALID_OPTIONS'
  | 'TLS_UNTRUSTED'
  | 'TLS_HOSTNAME'
  | 'TLS_HANDSHAKE';

/**
 * `connect()` could not register with the server.
 *
 * @example
 * try { await connect({ name: 'bot' }) } catch (err) {
 *   if (err instanceof ConnectError && err.code === 'NAME_IN_USE') pickAnotherName()
 * }
 */
export class ConnectError extends RelayKitError {
  declare readonly code: ConnectErrorCode;
  constructor(
    code: ConnectErrorCode,
    message: string,
    options: { wireCode?: number; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * Codes of `TransferError`. `REJECTED` (the peer declined, or cancelled while receiving),
 * `RECIPIENT_OFFLINE` (the offer came back with id 0), `ABORTED` (the peer went away
 * mid-transfer; the server sent REJECT_FILE),
 * `DISCONNECTED` (our own connection dropped), `CANCELLED` (you called `cancel()`),
 * `TOO_LARGE` (over `maxSize`), `SIZE_MISMATCH` (the bytes did not add up to the declared size),
 * `NAME_CONFLICT` (the file exists and `conflict: 'fail'`), `TIMEOUT` (no answer to the offer
 * within `answerTimeoutMs`; or, receiving, no chunk within `idleTimeoutMs`), `INVALID_ARGUMENT`,
 * `IO_ERROR`, `UNCONFIRMED` (sending: every byte went out, but the connection dropped or the
 * receiver left before the server confirmed it had them; the file may or may not have arrived).
 */
export type TransferErrorCode =
  | 'TIMEOUT'
  | 'REJECTED'
  | 'RECIPIENT_OFFLINE'
  | 'ABORTED'
  | 'DISCONNECTED'
  | 'CANCELLED'
  | 'TOO_LARGE'
  | 'SIZE_MISMATCH'
  | 'NAME_CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'IO_ERROR'
  | 'UNCONFIRMED';

/**
 * A file transfer failed. `code` says why; `transferId` is the server's id (0 before accept).
 *
 * @example
 * try { await client.sendFile('bob', './report.pdf').done } catch (err) {
 *   if (err instanceof TransferError && err.code === 'RECIPIENT_OFFLINE') retryLater()
 * }
 */
export class TransferError extends RelayKitError {
  declare readonly code: TransferErrorCode;
  /** The server's transfer id, 0 when none was assigned. */
  readonly transferId: number;
  constructor(
    code: TransferErrorCode,
    message: string,
    options: { transferId?: number; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.transferId = options.transferId ?? 0;
  }
}
