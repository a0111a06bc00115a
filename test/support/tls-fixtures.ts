import type { TestProject } from 'vitest/node';
import { issueCertificate, type KeyPair } from '../../src/certs/dev-certs.js';
import { createDevCertificateSet } from '../../src/certs/dev-set.js';

/** Certificates every TLS test shares, made once per run (RSA keys take a while to make). */
export interface TlsFixtures {
  ca: KeyPair;
  /** For localhost, 127.0.0.1 and ::1, signed by `ca`. */
  server: KeyPair;
  /** Client certificates signed by `ca`, by user name. */
  clients: Record<string, KeyPair>;
  /** A second CA that nothing here trusts. */
  otherCa: KeyPair;
  /** A client certificate for `alice` signed by `otherCa`. */
  strangerAlice: KeyPair;
  /** A server certificate signed by `ca` whose validity ended yesterday. */
  expiredServer: KeyPair;
  /** A second, valid server certificate signed by `ca` (for reloads). */
  renewedServer: KeyPair;
}

declare module 'vitest' {
  export interface ProvidedContext {
    tlsFixtures: TlsFixtures;
  }
}

/** vitest globalSetup: makes the fixtures and hands them to every test file. */
export default function setup(project: TestProject): void {
  const set = createDevCertificateSet({ clients: ['alice', 'bob', 'carol'] });
  const otherCa = issueCertificate(null, { commonName: 'someone else CA', use: 'ca' });
  const day = 86_400_000;
  const localhost = { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] };
  project.provide('tlsFixtures', {
    ca: set.ca,
    server: set.server,
    clients: Object.fromEntries(set.clients),
    otherCa,
    strangerAlice: issueCertificate(otherCa, { commonName: 'alice', use: 'client' }),
    expiredServer: issueCertificate(set.ca, {
      ...localhost,
      use: 'server',
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
    }),
    renewedServer: issueCertificate(set.ca, { ...localhost, use: 'server' }),
  });
}
