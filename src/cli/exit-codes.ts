import { RelayKitError } from '../errors.js';

/**
 * The CLI's exit codes (documented in the README). Scripts can rely on them.
 *
 * @example
 * relaykit online bob || echo "bob is away (exit $?)"
 */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** Bad usage or invalid input: a wrong option, an invalid name, an invalid recipe. */
  USAGE: 1,
  /** Could not reach the server, or lost it for good (refused, timed out, server full). */
  CONNECTION: 2,
  /** The name asked for with --as is taken on that server. */
  NAME_IN_USE: 3,
  /** Not delivered: the user is offline, or refused the file. */
  NOT_DELIVERED: 4,
  /** A file transfer failed midway (disconnect, size mismatch, disk error). */
  TRANSFER_FAILED: 5,
  /** Interrupted (Ctrl-C) before the work was done. */
  INTERRUPTED: 130,
} as const;

/** One of the values of `ExitCode`. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the CLI reports as one line on stderr and turns into an exit code. Its message
 * says what went wrong and what to do next.
 */
export class CliError extends RelayKitError {
  readonly exitCode: ExitCodeValue;

  constructor(
    code: string,
    exitCode: ExitCodeValue,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}
