import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { TransportError } from './errors.js';
import { CLIENT_AUTH_MODES, type ClientAuth, type ServerTlsOptions } from './options.js';

/** A server's TLS settings, checked: what `tls.Server` and `setSecureContext` take. */
export interface ServerTlsSettings {
  readonly context: SecureContextOptions;
  readonly clientAuth: ClientAuth;
}

/**
 * Checks a TLS listener's settings by building a secure context from them once. Throws
 * `TransportError` with a message that names the part at fault (certificate, key, CA) instead
 * of OpenSSL's bare reason.
 */
export function serverTlsSettings(tls: ServerTlsOptions): ServerTlsSettings {
  if (tls === null || typeof tls !== 'object' || tls.cert === undefined || tls.key === undefined) {
    throw new TransportError(
      'INVALID_TLS_OPTION',
      'TLS needs both a certificate and its key (tls: { cert, key }, or --tls-cert and --tls-key)',
    );
  }
  const clientAuth = tls.clientAuth ?? (tls.ca === undefined ? 'none' : 'require');
  if (!CLIENT_AUTH_MODES.includes(clientAuth)) {
    throw new TransportError(
      'INVALID_TLS_OPTION',
      `clientAuth must be one of ${CLIENT_AUTH_MODES.join(', ')}, got ${JSON.stringify(clientAuth)}`,
    );
  }
  if (clientAuth !== 'none' && tls.ca === undefined) {
    throw new TransportError(
      'INVALID_TLS_OPTION',
      `clientAuth '${clientAuth}' needs the CA that signs client certificates (tls.ca, or --tls-ca)`,
    );
  }
  try {
    const context: SecureContextOptions = {
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      minVersion: 'TLSv1.2',
    };
    createSecureContext(context);
    return { context, clientAuth };
  } catch (err) {
    throw new TransportError('TLS_BAD_CREDENTIALS', credentialsProblem(err as Error), {
      cause: err,
    });
  }
}

function credentialsProblem(err: Error): string {
  const reason = err.message;
  if (/key values mismatch/i.test(reason)) {
    return 'The TLS key does not belong to the certificate; pass the key made with it';
  }
  if (/bad decrypt|bad password/i.test(reason)) {
    return 'The TLS key is encrypted; pass an unencrypted key';
  }
  if (/no start line|bad base64|PEM/i.test(reason)) {
    return `A TLS certificate, key or CA is not PEM (${reason}); pass the .pem files (relaykit cert makes a set)`;
  }
  return `The TLS certificate, key or CA was refused: ${reason}`;
}
