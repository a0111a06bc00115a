import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** What a certificate is for: a server's identity, a client's, or signing others (a CA). */
export type CertificateUse = 'ca' | 'server' | 'client';

/** Options of `issueCertificate`. */
export interface IssueOptions {
  /** The subject CN: a host name for a server, the user name for a client. */
  commonName: string;
  /** Subject alternative names: host names and IP addresses (servers). */
  altNames?: readonly string[];
  use: CertificateUse;
  /** Valid from (default: one minute ago, so a skewed clock does not refuse it). */
  notBefore?: Date;
  /** Valid until (default: `days` after now). */
  notAfter?: Date;
  /** Lifetime when `notAfter` is absent (default 825 days, what browsers accept). */
  days?: number;
}

const DEFAULT_DAYS = 825;
const RSA_BITS = 2048;

/**
 * Makes a certificate signed by `issuer` (a CA made by this module), or a self-signed CA when
 * `issuer` is null and `use` is `'ca'`. Keys are made by Node's own crypto (fast, native);
 * node-forge writes and signs the X.509 structure, so no `openssl` binary is needed.
 *
 * @example
 * const ca = issueCertificate(null, { commonName: 'dev CA', use: 'ca' })
 * const server = issueCertificate(ca, { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], use: 'server' })
 */
export function issueCertificate(issuer: KeyPair | null, options: IssueOptions): KeyPair {
  const keys = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // Positive (top bit clear) and random, as RFC 5280 asks of serial numbers.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = options.notBefore ?? new Date(now - 60_000);
  cert.validity.notAfter =
    options.notAfter ?? new Date(now + (options.days ?? DEFAULT_DAYS) * 86_400_000);
  const subject = [{ name: 'commonName', value: forge.util.encodeUtf8(options.commonName) }];
  cert.setSubject(subject);
  const issuerCert = issuer === null ? null : forge.pki.certificateFromPem(issuer.cert);
  cert.setIssuer(issuerCert === null ? subject : issuerCert.subject.attributes);
  cert.setExtensions(extensions(options, issuerCert));
  const signingKey = issuer === null ? keyPem : issuer.key;
  cert.sign(forge.pki.privateKeyFromPem(signingKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

function extensions(options: IssueOptions, issuer: forge.pki.Certificate | null): object[] {
  const list: object[] = [
    { name: 'subjectKeyIdentifier' },
    // Points at the issuer's own subjectKeyIdentifier, so chains build without guessing.
    ...(issuer === null
      ? []
      : [
          {
            name: 'authorityKeyIdentifier',
            keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes(),
          },
        ]),
  ];
  if (options.use === 'ca') {
    list.push(
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    );
    return list;
  }
  list.push(
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    options.use === 'server'
      ? { name: 'extKeyUsage', serverAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
  );
  const alt = options.altNames ?? [];
  if (alt.length > 0) {
    list.push({
      name: 'subjectAltName',
      altNames: alt.map((n) => (isIP(n) === 0 ? { type: 2, value: n } : { type: 7, ip: n })),
    });
  }
  return list;
}

/** The SHA-256 fingerprint of a PEM certificate, as `AB:CD:…` (what browsers and openssl show). */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
