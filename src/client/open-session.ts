import { ErrorCode, errorCodeName, frames, Kind } from '../protocol/index.js';
import { dial } from '../transport/index.js';
import { closedDuringRegistrationHint, dialFailure } from './dial-errors.js';
import { ConnectError } from './errors.js';
import type { ResolvedConnectOptions } from './options.js';
import type { ServerEntry } from './servers.js';
import { ClientSession, type ClientSessionEnd } from './session.js';

/**
 * Dials `server` (one of `opts.servers`) and registers `opts.name`. The protocol has no registration ack, so the
 * client sends NEW_CLIENT and then asks about itself (QUERY_USER): the server handles frames
 * in order, so the answer proves the name was taken for us, and NAME_IN_USE comes (as ERR)
 * before it otherwise. Resolves with a live session; rejects with a `ConnectError`.
 */
export function openSession(
  opts: ResolvedConnectOptions,
  server: ServerEntry,
  signal?: AbortSignal,
): Promise<ClientSession> {
  return new Promise((resolve, reject) => {
    const where = server.label;
    let session: ClientSession | null = null;
    let settled = false;
    const socket = dial({ host: server.host, port: server.port, tls: server.tls ?? false }, () =>
      onReady(),
    );

    const onSocketError = (err: NodeJS.ErrnoException): void => {
      if (session !== null) return; // the session reports it through `closed`
      finish(dialFailure(err, where, server.tls, false));
    };
    socket.on('error', onSocketError);

    const finish = (err: ConnectError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onSocketError);
      // An abandoned socket may still report ECONNREFUSED after destroy(); swallow it so it
      // cannot crash the process.
      if (err !== null) socket.on('error', () => {});
      if (err === null && session !== null) {
        session.onEarlyFrame = null;
        resolve(session);
        return;
      }
      if (session !== null) session.destroy({ reason: 'closed' });
      else socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        finish(
          new ConnectError(
            'TIMEOUT',
            `No answer from ${where} within ${opts.connectTimeoutMs} ms; check the address, or raise connectTimeoutMs`,
          ),
        ),
      opts.connectTimeoutMs,
    );
    const onAbort = (): void =>
      finish(new ConnectError('ABORTED', 'connect() was aborted', { cause: signal?.reason }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const onReady = (): void => {
      if (settled) return;
      const s = new ClientSession(socket, {
        heartbeatIntervalMs: opts.heartbeatIntervalMs,
        heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
        maxListingBytes: opts.maxListingBytes,
      });
      session = s;
      s.onEarlyFrame = (frame) => {
        if (frame.kind !== Kind.QUERY_USER || frame.name !== opts.name) return false;
        finish(null);
        return true;
      };
      void s.closed.then((info) => finish(registrationFailure(info, opts.name, where, server.tls)));
      s.write(frames.newClient(opts.name));
      s.write(frames.queryUser(opts.name));
    };
  });
}

function registrationFailure(
  info: ClientSessionEnd,
  name: string,
  where: string,
  tls: ServerEntry['tls'],
): ConnectError {
  const wire =
    info.error !== undefined ? (info.error as { wireCode?: number }).wireCode : undefined;
  const options = { cause: info.error, ...(wire === undefined ? {} : { wireCode: wire }) };
  if (info.reason === 'server-error' && wire !== undefined) {
    switch (wire) {
      case ErrorCode.NAME_IN_USE:
        return new ConnectError(
          'NAME_IN_USE',
          `The name ${JSON.stringify(name)} is taken on ${where}; pick another name`,
          options,
        );
      case ErrorCode.TOO_MANY_USERS:
        return new ConnectError(
          'TOO_MANY_USERS',
          `${where} is full (TOO_MANY_USERS); try again later`,
          options,
        );
      case ErrorCode.ILLEGAL_NAME:
        return new ConnectError(
          'ILLEGAL_NAME',
          `${where} refused the name ${JSON.stringify(name)} (ILLEGAL_NAME)`,
          options,
        );
      default:
        return new ConnectError(
          'SERVER_ERROR',
          `${where} refused the registration with ERR ${errorCodeName(wire)}`,
          options,
        );
    }
  }
  if (info.reason === 'server-departed') {
    return new ConnectError(
      'SERVER_DEPARTED',
      `${where} is shutting down (${JSON.stringify(info.farewell ?? '')}); try again later`,
      options,
    );
  }
  if (info.reason === 'timeout') {
    return new ConnectError('TIMEOUT', `${where} went silent during registration`, options);
  }
  return new ConnectError(
    'CONNECTION_CLOSED',
    `${where} closed the connection during registration${info.error ? `: ${info.error.message}` : ''}${closedDuringRegistrationHint(tls)}`,
    options,
  );
}
