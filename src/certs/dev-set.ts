import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory } from '../ensure-directory.js';
import { fingerprint, issueCertificate, type KeyPair } from './dev-certs.js';

/** A private CA with a server certificate and client certificates, all PEM. */
export interface DevCertificateSet {
  ca: KeyPair;
  server: KeyPair;
  /** By user name: each certificate's CN is the name it may register as. */
  clients: Map<string, KeyPair>;
}

/** Options of `createDevCertificateSet`. */
export interface DevSetOptions {
  /** Names the server answers to, the first being its CN (default `['localhost']`). */
  serverNames?: readonly string[];
  /** User names to make client certificates for. */
  clients?: readonly string[];
  /** Lifetime of every certificate in days (default 825). */
  days?: number;
}

/**
 * Makes a development PKI: a CA, a server certificate for `serverNames` (with `localhost`,
 * 127.0.0.1 and ::1 added when the first name is `localhost`) and one client certificate per
 * user name.
 *
 * @example
 * const set = createDevCertificateSet({ clients: ['alice'] })
 * createServer({ tls: { ...set.server, ca: set.ca.cert } })
 */
export function createDevCertificateSet(options: DevSetOptions = {}): DevCertificateSet {
  const names = options.serverNames?.length ? [...options.serverNames] : ['localhost'];
  if (names[0] === 'localhost') {
    for (const n of ['127.0.0.1', '::1']) if (!names.includes(n)) names.push(n);
  }
  const days = options.days === undefined ? {} : { days: options.days };
  const ca = issueCertificate(null, { commonName: 'relaykit development CA', use: 'ca', ...days });
  const server = issueCertificate(ca, {
    commonName: names[0]!,
    altNames: names,
    use: 'server',
    ...days,
  });
  const clients = new Map<string, KeyPair>();
  for (const name of options.clients ?? []) {
    clients.set(name, issueCertificate(ca, { commonName: name, use: 'client', ...days }));
  }
  return { ca, server, clients };
}

/** One file `writeDevCertificateSet` wrote. */
export interface WrittenFile {
  /** What it is, e.g. `server certificate` or `client key (alice)`. */
  what: string;
  path: string;
  /** SHA-256 fingerprint, for certificates. */
  fingerprint?: string;
}

/**
 * Writes a set as `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem` and
 * `client-NAME.pem` / `client-NAME-key.pem` under `dir` (keys readable by the owner only).
 */
export async function writeDevCertificateSet(
  dir: string,
  set: DevCertificateSet,
): Promise<WrittenFile[]> {
  ensureDirectory(dir);
  const files: WrittenFile[] = [];
  const put = async (what: string, file: string, pair: KeyPair): Promise<void> => {
    const certPath = join(dir, `${file}.pem`);
    const keyPath = join(dir, `${file}-key.pem`);
    await writeFile(certPath, pair.cert);
    await writeFile(keyPath, pair.key, { mode: 0o600 });
    // writeFile's mode applies only to a new file; an old key file is tightened too.
    await chmod(keyPath, 0o600);
    files.push({
      what: `${what} certificate`,
      path: certPath,
      fingerprint: fingerprint(pair.cert),
    });
    files.push({ what: `${what} key`, path: keyPath });
  };
  await put('CA', 'ca', set.ca);
  await put('server', 'server', set.server);
  for (const [name, pair] of set.clients) {
    await put(`client (${name})`, `client-${fileSafe(name)}`, pair);
  }
  return files;
}

/** A user name as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
function fileSafe(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\./, '_');
}
