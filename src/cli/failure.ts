import { CliError, ExitCode } from './exit-codes.js';

/** What the CLI prints for a failure, and the exit code it ends with. */
export interface Failure {
  exitCode: number;
  message: string;
}

/** The context a failure message names. */
export interface FailureContext {
  /** The name the command registers (--as). */
  name?: string;
  /** `host:port` it dials. */
  server?: string;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

/**
 * Maps any error a command meets to a one-line message that says what to do next, and an
 * exit code from `ExitCode`. Errors are recognised by their stable `name` and `code` (see
 * `ConnectError`, `ClientError`, `TransferError`), never by their message text.
 *
 * @example
 * describeFailure(err, { name: 'bob', server: '127.0.0.1:17734' })
 * // → { exitCode: 3, message: "The name 'bob' is already in use on 127.0.0.1:17734; …" }
 */
export function describeFailure(err: unknown, ctx: FailureContext = {}): Failure {
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const server = ctx.server ?? 'the server';
  switch (nameOf(err)) {
    case 'ConnectError':
      return connectFailure(code, message, server, ctx.name);
    case 'ClientError':
      return clientFailure(code, message, server);
    case 'TransferError':
      return transferFailure(code, message);
    case 'ProtocolError':
      return { exitCode: ExitCode.USAGE, message };
  }
  if (code === 'ECONNREFUSED')
    return connectFailure('CONNECTION_REFUSED', message, server, ctx.name);
  if (code === 'ABORT_ERR' || nameOf(err) === 'AbortError') {
    return { exitCode: ExitCode.INTERRUPTED, message: 'Interrupted.' };
  }
  return { exitCode: ExitCode.USAGE, message };
}

function connectFailure(
  code: string | undefined,
  message: string,
  server: string,
  name: string | undefined,
): Failure {
  const who = name === undefined ? 'That name' : `The name '${name}'`;
  switch (code) {
    case 'NAME_IN_USE':
      return {
        exitCode: ExitCode.NAME_IN_USE,
        message: `${who} is already in use on ${server}. Pick another with --as <name>, or stop the other client.`,
      };
    case 'CONNECTION_REFUSED':
      return {
        exitCode: ExitCode.CONNECTION,
        message: `Could not connect to ${server}: connection refused. Is a relaykit server running there? Start one with \`relaykit serve\`, or check the address (--server host:port).`,
      };
    case 'TIMEOUT':
      return {
        exitCode: ExitCode.CONNECTION,
        message: `${server} did not answer in time. Check the address and port (--server host:port) and any firewall in between.`,
      };
    case 'TOO_MANY_USERS':
      return {
        exitCode: ExitCode.CONNECTION,
        message: `${server} is full (too many users). Try again later or use another server.`,
      };
    case 'ILLEGAL_NAME':
    case 'INVALID_OPTIONS':
      return {
        exitCode: ExitCode.USAGE,
        message: `${message}. Names are 1–32 characters without spaces or control characters (--as <name>).`,
      };
    case 'ABORTED':
      return { exitCode: ExitCode.INTERRUPTED, message: 'Interrupted while connecting.' };
    case 'TLS_UNTRUSTED':
    case 'TLS_HOSTNAME':
    case 'TLS_HANDSHAKE':
      // These messages already say what to do.
      return { exitCode: ExitCode.CONNECTION, message: `Could not connect securely: ${message}.` };
    default:
      return {
        exitCode: ExitCode.CONNECTION,
        message: `Could not connect to ${server}: ${message}. Check the address (--server host:port).`,
      };
  }
}

function clientFailure(code: string | undefined, message: string, server: string): Failure {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return { exitCode: ExitCode.USAGE, message };
    case 'ABORTED':
      return { exitCode: ExitCode.INTERRUPTED, message: 'Interrupted.' };
    default:
      return {
        exitCode: ExitCode.CONNECTION,
        message: `Lost the connection to ${server}: ${message}. Run the command again once the server is back.`,
      };
  }
}

function transferFailure(code: string | undefined, message: string): Failure {
  switch (code) {
    case 'REJECTED':
    case 'RECIPIENT_OFFLINE':
    case 'TOO_LARGE':
      return { exitCode: ExitCode.NOT_DELIVERED, message };
    case 'CANCELLED':
      return { exitCode: ExitCode.INTERRUPTED, message };
    case 'INVALID_ARGUMENT':
      return { exitCode: ExitCode.USAGE, message };
    default:
      return { exitCode: ExitCode.TRANSFER_FAILED, message };
  }
}
