import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../src/cli/exit-codes.js';
import { describeFailure } from '../../../src/cli/failure.js';
import { ClientError, ConnectError, ProtocolError, TransferError } from '../../../src/index.js';

const ctx = { name: 'bob', server: '127.0.0.1:4000' };

describe('describeFailure', () => {
  it.each([
    [
      new ConnectError('NAME_IN_USE', 'taken'),
      3,
      /'bob' is already in use on 127\.0\.0\.1:4000.*--as/,
    ],
    [new ConnectError('CONNECTION_REFUSED', 'refused'), 2, /refused.*relaykit serve/],
    [new ConnectError('TIMEOUT', 'slow'), 2, /did not answer.*--server/],
    [new ConnectError('TOO_MANY_USERS', 'full'), 2, /full/],
    [new ConnectError('ILLEGAL_NAME', 'Cannot connect as "a b"'), 1, /Names are 1–32 characters/],
    [new ConnectError('NETWORK', 'getaddrinfo ENOTFOUND nope'), 2, /ENOTFOUND.*--server/],
    [new ConnectError('ABORTED', 'aborted'), 130, /Interrupted/],
    [new ClientError('DISCONNECTED', 'gone'), 2, /Lost the connection to 127\.0\.0\.1:4000/],
    [new ClientError('INVALID_ARGUMENT', 'bad room'), 1, /^bad room$/],
    [new TransferError('REJECTED', 'bob declined'), 4, /declined/],
    [new TransferError('RECIPIENT_OFFLINE', 'offline'), 4, /offline/],
    [new TransferError('SIZE_MISMATCH', 'short'), 5, /short/],
    [new TransferError('CANCELLED', 'cancelled'), 130, /cancelled/],
    [new ProtocolError('NAME_TOO_LONG', 5, 'Invalid name: too long'), 1, /too long/],
    [new CliError('X', ExitCode.NOT_DELIVERED, 'not there'), 4, /^not there$/],
    [new Error('something odd'), 1, /something odd/],
  ])('%s → exit %d', (err, exitCode, message) => {
    const failure = describeFailure(err, ctx);
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.message).toMatch(message);
  });
});
