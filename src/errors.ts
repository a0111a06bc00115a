/**
 * The base of every error relaykit throws. `code` is a stable string you can switch on;
 * `wireCode` is the protocol error code (CLARIFICATIONS §1) where one applies.
 *
 * @example
 * try { await client.join('ops') } catch (err) {
 *   if (err instanceof RelayKitError && err.code === 'NOT_CONNECTED') retryLater()
 * }
 */
export class RelayKitError extends Error {
  /** Stable, machine-readable identifier of this failure, e.g. `NAME_TOO_LONG`. */
  readonly code: string;
  /** The protocol's error code that goes (or came) over the wire, if any. */
  readonly wireCode: number | undefined;

  constructor(code: string, message: string, options: { wireCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.wireCode = options.wireCode;
  }
}
