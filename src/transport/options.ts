/** PEM text or bytes, as read from a `.pem` file. */
export type Pem = string | Buffer;

/** Whether a TLS listener asks connecting clients for a certificate. */
export type ClientAuth = 'none' | 'optional' | 'require';

/** The allowed `clientAuth` values, for checks and messages. */
export const CLIENT_AUTH_MODES: readonly ClientAuth[] = ['none', 'optional', 'require'];

/**
 * A TLS listener's certificate, key and (for client certificates) CA.
 *
 * @example
 * createServer({ tls: { cert: readFileSync('server.pem'), key: readFileSync('server-key.pem') } })
 */
export interface ServerTlsOptions {
  /** The server's certificate chain (PEM). */
  cert: Pem;
  /** The server's private key (PEM). */
  key: Pem;
  /** CA certificate(s) that client certificates must chain to (PEM). */
  ca?: Pem;
  /**
   * `'require'`: no connection without a valid client certificate; `'optional'`: clients may
   * present one; `'none'`: none asked for. Default: `'require'` with `ca`, else `'none'`.
   * With a certificate, the name a client registers must be its CN or one of its SANs.
   */
  clientAuth?: ClientAuth;
}

/**
 * How a client dials with TLS. `true` means the system's trusted CAs and no client
 * certificate.
 *
 * @example
 * connect({ name: 'bot', host: 'chat.example', tls: { ca: readFileSync('ca.pem') } })
 */
export interface ClientTlsOptions {
  /** CA certificate(s) to trust instead of the system's (PEM). */
  ca?: Pem;
  /** A client certificate for servers that ask for one (PEM); needs `key`. */
  cert?: Pem;
  /** The client certificate's private key (PEM). */
  key?: Pem;
  /** The name the server's certificate must carry (default: the host dialled). */
  servername?: string;
  /** `false` accepts any server certificate: encrypted, but open to impersonation. */
  rejectUnauthorized?: boolean;
}
