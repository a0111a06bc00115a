import type { Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import type { ClientTlsOptions } from './options.js';
import { connectReadingInPlace } from '../read-in-place.js';

/** Where to dial, and whether with TLS. */
export interface DialTarget {
  host: string;
  port: number;
  /** Absent or false: plaintext. `true`: TLS with the system's CAs. */
  tls?: boolean | ClientTlsOptions | undefined;
}

/**
 * Opens a connection. `ready` fires once frames may flow: after TCP connect for plaintext,
 * after a verified handshake for TLS. Errors (refused, unreachable, handshake, untrusted
 * certificate) come as the socket's `'error'`. A plaintext socket reads in place: its bytes
 * come through `takeReads`, not `'data'` events.
 */
export function dial(target: DialTarget, ready: () => void): Socket {
  const tls = target.tls;
  if (tls === undefined || tls === false) {
    const socket = connectReadingInPlace({ host: target.host, port: target.port });
    socket.once('connect', ready);
    return socket;
  }
  const o: ClientTlsOptions = tls === true ? {} : tls;
  const servername = o.servername ?? target.host;
  const socket = tlsConnect({
    host: target.host,
    port: target.port,
    // SNI may not carry an IP address; the certificate is still checked against it.
    ...(isIp(servername) ? {} : { servername }),
    checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert),
    ...(o.ca === undefined ? {} : { ca: o.ca }),
    ...(o.cert === undefined ? {} : { cert: o.cert }),
    ...(o.key === undefined ? {} : { key: o.key }),
    rejectUnauthorized: o.rejectUnauthorized !== false,
    minVersion: 'TLSv1.2',
  });
  socket.once('secureConnect', ready);
  return socket;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Which way a TLS dial failed, for `ConnectError` codes. */
export type TlsFailure = 'TLS_UNTRUSTED' | 'TLS_HOSTNAME' | 'TLS_HANDSHAKE';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_CA',
  'CERT_REJECTED',
]);

/**
 * Sorts a socket error from a TLS dial: an untrusted (or expired) server certificate, a name
 * mismatch, or a handshake that failed for another reason (plaintext server, versions, a
 * client certificate the server wanted). Null for errors that are not about TLS.
 */
export function classifyTlsError(err: NodeJS.ErrnoException): TlsFailure | null {
  const code = err.code ?? '';
  if (UNTRUSTED.has(code)) return 'TLS_UNTRUSTED';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'TLS_HOSTNAME';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /SSL|TLS/.test(err.message)) {
    return 'TLS_HANDSHAKE';
  }
  return null;
}
