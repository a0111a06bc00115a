import { type ClientTlsOptions, classifyTlsError } from '../transport/index.js';
import { ConnectError } from './errors.js';

/**
 * Turns a socket error met while dialling into a `ConnectError` that says what to do.
 * `tls` is the dial's TLS settings (null for plaintext); `secured` says whether the TLS
 * handshake had finished when the error came.
 */
export function dialFailure(
  err: NodeJS.ErrnoException,
  where: string,
  tls: ClientTlsOptions | null,
  secured: boolean,
): ConnectError {
  const cause = { cause: err };
  if (err.code === 'ECONNREFUSED') {
    return new ConnectError(
      'CONNECTION_REFUSED',
      `Nothing is listening on ${where}; start the server or check host and port`,
      cause,
    );
  }
  if (tls === null) {
    return new ConnectError('NETWORK', `Cannot reach ${where}: ${err.message}`, cause);
  }
  const kind = classifyTlsError(err) ?? (secured ? null : 'TLS_HANDSHAKE');
  switch (kind) {
    case 'TLS_UNTRUSTED':
      if (err.code === 'CERT_HAS_EXPIRED' || err.code === 'CERT_NOT_YET_VALID') {
        return new ConnectError(
          'TLS_UNTRUSTED',
          `The certificate of ${where} ${err.code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'} (${err.code}); the server must renew it (its owner can reload it with SIGHUP), or check this machine's clock`,
          cause,
        );
      }
      return new ConnectError(
        'TLS_UNTRUSTED',
        `The certificate of ${where} is not signed by a CA this client trusts (${err.code}); pass the CA that signed it (tls.ca, --tls-ca or RELAYKIT_TLS_CA)`,
        cause,
      );
    case 'TLS_HOSTNAME': {
      const names = (err as { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
      return new ConnectError(
        'TLS_HOSTNAME',
        `The certificate of ${where} is for ${names ?? 'other names'}, not the name dialled; connect by a name it lists, or set tls.servername to one`,
        cause,
      );
    }
    case 'TLS_HANDSHAKE':
      return new ConnectError('TLS_HANDSHAKE', handshakeAdvice(err, where, tls), cause);
    default:
      return new ConnectError('NETWORK', `Cannot reach ${where}: ${err.message}`, cause);
  }
}

function handshakeAdvice(err: NodeJS.ErrnoException, where: string, tls: ClientTlsOptions) {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH|UNKNOWN_PROTOCOL|HTTP_REQUEST/i.test(text)) {
    return `${where} does not speak TLS on that port (a plaintext server?); dial it without TLS (host:port instead of tls://host:port), or use its TLS port`;
  }
  if (/CERTIFICATE_REQUIRED/i.test(text)) {
    return `${where} requires a client certificate; pass one with its key (tls.cert and tls.key, --tls-cert and --tls-key)`;
  }
  if (/UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN/i.test(text)) {
    return `${where} refused this client certificate (${err.code}); use one signed by the CA the server trusts, and not expired`;
  }
  if (/VERSION|NO_PROTOCOLS|UNSUPPORTED_PROTOCOL/i.test(text)) {
    return `${where} and this client share no TLS version (${err.code}); both need TLS 1.2 or later`;
  }
  return `The TLS handshake with ${where} failed (${err.code ?? err.message})${tls.cert === undefined ? '' : '; if the server checks client certificates, it may have refused this one'}`;
}

/**
 * A hint for a server that hung up during registration: over TLS, a server that refuses a
 * client certificate (or wants one) does it right after the handshake; in plaintext, a TLS
 * server does it at the first bytes.
 */
export function closedDuringRegistrationHint(tls: ClientTlsOptions | null): string {
  if (tls === null) return '; if the server speaks TLS, dial tls://host:port';
  if (tls.cert === undefined) {
    return '; if the server requires client certificates, pass one (tls.cert and tls.key, --tls-cert and --tls-key)';
  }
  return '; the server may have refused this client certificate (another CA, or expired)';
}
