import { readFileSync } from 'node:fs';
import type { ClientAuth, ServerTlsOptions } from '../../transport/index.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** The file flags of `relaykit serve` that make its listener TLS. */
export interface ServerTlsFiles {
  cert: string | undefined;
  key: string | undefined;
  ca: string | undefined;
  clientAuth: ClientAuth | undefined;
}

/**
 * Reads --tls-cert, --tls-key and --tls-ca into the server's TLS options (null when none is
 * given). Called at start and again on every SIGHUP, so renewed files take effect. Throws a
 * `CliError` (exit 1) naming the flag and file at fault.
 */
export function readServerTls(files: ServerTlsFiles): ServerTlsOptions | null {
  const { cert, key, ca, clientAuth } = files;
  if (cert === undefined && key === undefined) {
    if (ca !== undefined || clientAuth !== undefined) {
      throw usage('--tls-ca and --tls-client-auth need --tls-cert and --tls-key too');
    }
    return null;
  }
  if (cert === undefined || key === undefined) {
    throw usage(
      `${cert === undefined ? '--tls-key' : '--tls-cert'} needs ${cert === undefined ? '--tls-cert' : '--tls-key'} too (\`relaykit cert --out DIR\` makes a pair)`,
    );
  }
  if (clientAuth !== undefined && clientAuth !== 'none' && ca === undefined) {
    throw usage(
      `--tls-client-auth ${clientAuth} needs --tls-ca, the CA that signs client certificates`,
    );
  }
  return {
    cert: readPem('--tls-cert', cert),
    key: readPem('--tls-key', key),
    ...(ca === undefined ? {} : { ca: readPem('--tls-ca', ca) }),
    ...(clientAuth === undefined ? {} : { clientAuth }),
  };
}

/** Reads one PEM file named by `flag`; a `CliError` says which flag and why. */
export function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    throw new CliError('TLS_FILE', ExitCode.USAGE, `${flag} ${path}: ${why}`, { cause: err });
  }
}

function usage(message: string): CliError {
  return new CliError('TLS_OPTIONS', ExitCode.USAGE, message);
}
