import type { ClientTlsOptions } from '../../transport/index.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { readPem } from './server-files.js';

/** The CLI's TLS settings for dialling, from flags or, failing those, the environment. */
export interface CliTlsSettings {
  /** File paths, each with where it came from (the flag or the variable), for messages. */
  ca: { path: string; from: string } | undefined;
  cert: { path: string; from: string } | undefined;
  key: { path: string; from: string } | undefined;
  /** Skip the server certificate check (--insecure or RELAYKIT_INSECURE=1). */
  insecure: boolean;
  /** The flags given on the command line (not from the environment), for "ignored" notices. */
  explicit: string[];
}

/** The environment variable behind each flag. */
export const TLS_ENV = {
  'tls-ca': 'RELAYKIT_TLS_CA',
  'tls-cert': 'RELAYKIT_TLS_CERT',
  'tls-key': 'RELAYKIT_TLS_KEY',
  insecure: 'RELAYKIT_INSECURE',
} as const;

type Flag = keyof typeof TLS_ENV;

/** Reads the TLS flags from parsed argv, falling back to RELAYKIT_TLS_* in `env`. */
export function cliTlsSettings(
  argv: Partial<Record<Flag, unknown>>,
  env: NodeJS.ProcessEnv,
): CliTlsSettings {
  const explicit: string[] = [];
  const file = (flag: Exclude<Flag, 'insecure'>) => {
    const given = argv[flag];
    if (typeof given === 'string' && given !== '') {
      explicit.push(`--${flag}`);
      return { path: given, from: `--${flag}` };
    }
    const fromEnv = env[TLS_ENV[flag]];
    return fromEnv ? { path: fromEnv, from: TLS_ENV[flag] } : undefined;
  };
  const settings = { ca: file('tls-ca'), cert: file('tls-cert'), key: file('tls-key') };
  if (argv.insecure === true) explicit.push('--insecure');
  const insecure = argv.insecure === true || /^(1|true|yes)$/i.test(env[TLS_ENV.insecure] ?? '');
  return { ...settings, insecure, explicit };
}

/**
 * Reads the files into what `connect({ tls })` takes. Throws a `CliError` (exit 1) naming
 * the flag or variable whose file cannot be read, or a half client certificate.
 */
export function clientTlsOptions(settings: CliTlsSettings): ClientTlsOptions {
  const { ca, cert, key } = settings;
  if ((cert === undefined) !== (key === undefined)) {
    const have = cert ?? key!;
    const missing = cert === undefined ? '--tls-cert' : '--tls-key';
    return usageError(`${have.from} needs ${missing} too: a client certificate goes with its key`);
  }
  return {
    ...(ca === undefined ? {} : { ca: readPem(ca.from, ca.path) }),
    ...(cert === undefined ? {} : { cert: readPem(cert.from, cert.path) }),
    ...(key === undefined ? {} : { key: readPem(key.from, key.path) }),
    ...(settings.insecure ? { rejectUnauthorized: false } : {}),
  };
}

function usageError(message: string): never {
  throw new CliError('TLS_OPTIONS', ExitCode.USAGE, message);
}

/** What `--insecure` prints, once per command. */
export const INSECURE_WARNING =
  "warning: --insecure: the server's certificate is not checked, so anyone on the path can pose as the server and read everything; pass its CA with --tls-ca instead";
